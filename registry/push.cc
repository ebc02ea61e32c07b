#include "registry/push.h"

#include <atomic>
#include <mutex>
#include <thread>

#include "base/fd.h"
#include "base/log.h"
#include "registry/blob_sources.h"
#include "storage/oci/json.h"
#include "storage/oci/manifest.h"
#include "storage/oci/media_types.h"

namespace shale {
namespace {

enum class BlobOutcome { kSkipped, kMounted, kUploaded };

Result<BlobOutcome> PushBlob(ImageStore& store, Repository& repo, const Descriptor& d,
                             const std::vector<std::string>& mount_from, const UploadOptions& upload) {
  ASSIGN_OR_RETURN(std::optional<int64_t> remote, repo.HeadBlob(d.digest));
  if (remote && (*remote < 0 || *remote == d.size)) return BlobOutcome::kSkipped;
  for (const auto& from : mount_from) {
    auto mounted = repo.MountBlob(d.digest, from);
    if (mounted.ok() && *mounted) return BlobOutcome::kMounted;
    if (!mounted.ok()) SHALE_LOG(Debug) << "mount from " << from << " failed: " << mounted.status().ToString();
    break;  // the registry opened an upload session instead: use it
  }
  ASSIGN_OR_RETURN(UniqueFd fd, store.blobs().OpenBlob(d.digest));
  RETURN_IF_ERROR(repo.UploadBlob(d, fd.get(), upload));
  return BlobOutcome::kUploaded;
}

Result<ImageRecord> FindLocal(ImageStore& store, std::string_view source) {
  for (const auto& name : LocalNameCandidates(source)) {
    auto r = store.Find(name);
    if (r.ok()) return r;
    if (r.status().code() != StatusCode::kNotFound) return r.status();
  }
  return NotFoundError("image \"" + std::string(source) + "\" not found in the local store");
}

Result<PushedImage> PushResolved(ImageStore& store, const ImageRecord& image, const Reference& dest,
                                 const PushOptions& options) {
  ASSIGN_OR_RETURN(auto session, RegistrySession::Create(options.registry));
  ASSIGN_OR_RETURN(PullSource target, session->conf().PushDestination(dest));
  const Reference& ref = target.ref;

  if (!oci::IsManifestMediaType(image.manifest.media_type))
    return UnimplementedError("pushing an image index (" + image.manifest.media_type + ") is not supported yet");
  ASSIGN_OR_RETURN(std::string bytes, store.blobs().ReadBlob(image.manifest.digest, oci::kMaxJsonBytes));
  ASSIGN_OR_RETURN(oci::Manifest manifest, oci::ParseManifest(bytes));
  std::string media_type = image.manifest.media_type;
  if (!options.format.empty()) {
    ASSIGN_OR_RETURN(oci::ImageFormat fmt, oci::ParseImageFormat(options.format));
    bool is_docker = oci::IsDockerMediaType(media_type);
    if (is_docker != (fmt == oci::ImageFormat::kDocker)) {
      ASSIGN_OR_RETURN(manifest, oci::ConvertManifest(manifest, fmt));
      bytes = oci::SerializeManifest(manifest);
      media_type = manifest.media_type;
    }
  }

  ASSIGN_OR_RETURN(auto client, session->ClientFor(ref.domain, ref.path, target.insecure));
  Repository repo(*client, ref.path);
  BlobSources sources = BlobSources::Load(store.blobs().root());
  ASSIGN_OR_RETURN(Lease lease, store.AcquireLease());

  std::vector<Descriptor> blobs = manifest.layers;
  blobs.push_back(manifest.config);
  for (const auto& d : blobs) RETURN_IF_ERROR(lease.Pin(d.digest));
  session->Progress("Getting image source signatures");

  std::vector<Status> results(blobs.size());
  std::vector<BlobOutcome> outcomes(blobs.size());
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  auto worker = [&] {
    // One Repository per thread: it keeps a pending upload session.
    Repository mine(*client, ref.path);
    while (!failed) {
      size_t i = next++;
      if (i >= blobs.size()) return;
      const Descriptor& d = blobs[i];
      std::vector<std::string> mount_from;
      for (const auto& r : sources.Repos(d.digest)) {
        size_t slash = r.find('/');
        if (slash != std::string::npos && r.substr(0, slash) == ref.domain && r.substr(slash + 1) != ref.path)
          mount_from.push_back(r.substr(slash + 1));
      }
      auto outcome = PushBlob(store, mine, d, mount_from, options.upload);
      std::lock_guard<std::mutex> l(mu);
      std::string kind = oci::IsConfigMediaType(d.media_type) ? "config" : "blob";
      if (!outcome.ok()) {
        results[i] = outcome.status().Annotate("copying " + kind + " " + d.digest.ToString());
        failed = true;
        return;
      }
      outcomes[i] = *outcome;
      const char* how = *outcome == BlobOutcome::kSkipped ? "skipped: already exists"
                        : *outcome == BlobOutcome::kMounted ? "done (mounted)"
                                                            : "done";
      session->Progress("Copying " + kind + " " + d.digest.ToString() + " " + how);
    }
  };
  int n = std::max(1, std::min<int>(options.parallel, static_cast<int>(blobs.size())));
  std::vector<std::thread> threads;
  for (int i = 1; i < n; ++i) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  for (const auto& s : results) RETURN_IF_ERROR(s);

  session->Progress("Writing manifest to image destination");
  std::string put_ref = ref.tag.empty() ? ref.digest.ToString() : ref.tag;
  ASSIGN_OR_RETURN(Digest pushed, repo.PutManifest(put_ref, media_type, bytes));
  if (ref.digest.valid() && ref.digest != pushed)
    return FailedPreconditionError("the manifest pushed hashes to " + pushed.ToString() + ", not the requested " +
                                   ref.digest.ToString() + " (--format changes the manifest digest)");

  for (const auto& d : blobs) sources.Add(d.digest, ref.Name());
  if (Status s = sources.Save(); !s.ok()) SHALE_LOG(Warning) << "recording blob sources: " << s.ToString();
  if (!options.digestfile.empty()) RETURN_IF_ERROR(WriteFileAtomic(options.digestfile, pushed.ToString(), 0644));

  PushedImage out;
  out.destination = ref;
  out.manifest_digest = pushed;
  out.manifest_media_type = media_type;
  for (size_t i = 0; i < blobs.size(); ++i) {
    if (outcomes[i] == BlobOutcome::kSkipped) ++out.blobs_skipped;
    if (outcomes[i] == BlobOutcome::kMounted) ++out.blobs_mounted;
    if (outcomes[i] == BlobOutcome::kUploaded) ++out.blobs_uploaded;
  }
  return out;
}

}  // namespace

Result<PushedImage> PushImage(ImageStore& store, std::string_view source, std::string_view destination,
                              const PushOptions& options) {
  std::string_view dest_text = destination.empty() ? source : destination;
  if (dest_text.rfind("docker://", 0) == 0) dest_text.remove_prefix(9);
  std::string what = "pushing " + std::string(dest_text);
  auto image = FindLocal(store, source);
  if (!image.ok()) return image.status().Annotate(what);
  std::string dest_name = !destination.empty() || image->name.empty() ? std::string(dest_text) : image->name;
  auto dest = ParseReference(dest_name);
  if (!dest.ok()) return dest.status().Annotate(what);
  auto r = PushResolved(store, *image, *dest, options);
  if (!r.ok()) return r.status().Annotate("pushing " + dest->ToString());
  return r;
}

}  // namespace shale
