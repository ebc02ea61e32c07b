#include "registry/pull.h"

#include <atomic>
#include <mutex>
#include <thread>

#include "base/log.h"
#include "registry/blob_sources.h"
#include "registry/repository.h"
#include "registry/signature_policy.h"
#include "storage/oci/index.h"
#include "storage/oci/manifest.h"
#include "storage/oci/media_types.h"

namespace shale {
namespace {

// A BlobWriter that can start over (a retried download).
class StoreSink : public RestartableSink {
 public:
  explicit StoreSink(BlobStore& store) : store_(store) {}
  Status Open() {
    if (writer_) writer_->Abort();
    ASSIGN_OR_RETURN(writer_, store_.NewWriter());
    return Status::Ok();
  }
  Status Write(const void* data, size_t len) override { return writer_->Write(data, len); }
  using ByteSink::Write;
  Status Restart() override { return Open(); }
  Result<Descriptor> Commit(const Descriptor& d) { return writer_->Commit(d.digest, d.size); }
  void Abort() {
    if (writer_) writer_->Abort();
  }

 private:
  BlobStore& store_;
  std::unique_ptr<BlobWriter> writer_;
};

std::string Kind(const Descriptor& d) { return oci::IsConfigMediaType(d.media_type) ? "config" : "blob"; }

struct Job {
  Descriptor descriptor;
  Status status;
  bool skipped = false;
};

Status FetchAll(Repository& repo, BlobStore& blobs, std::vector<Job>& jobs, int parallel,
                const RegistrySession& session) {
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex progress_mu;
  auto worker = [&] {
    while (!failed) {
      size_t i = next++;
      if (i >= jobs.size()) return;
      Job& job = jobs[i];
      const Descriptor& d = job.descriptor;
      if (blobs.Has(d.digest)) {
        auto size = blobs.Size(d.digest);
        if (size.ok() && *size == d.size) {
          job.skipped = true;
          std::lock_guard<std::mutex> l(progress_mu);
          session.Progress("Copying " + Kind(d) + " " + d.digest.ToString() + " skipped: already exists");
          continue;
        }
      }
      StoreSink sink(blobs);
      job.status = sink.Open();
      if (job.status.ok()) job.status = repo.FetchBlob(d, sink);
      if (job.status.ok()) {
        auto committed = sink.Commit(d);
        if (!committed.ok())
          job.status = committed.status().Annotate("verifying blob " + d.digest.ToString());
      } else {
        sink.Abort();
      }
      if (!job.status.ok()) {
        failed = true;
        return;
      }
      std::lock_guard<std::mutex> l(progress_mu);
      session.Progress("Copying " + Kind(d) + " " + d.digest.ToString() + " done");
    }
  };
  int n = std::max(1, std::min<int>(parallel, static_cast<int>(jobs.size())));
  std::vector<std::thread> threads;
  for (int i = 1; i < n; ++i) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  for (const auto& j : jobs)
    if (!j.status.ok()) return j.status;
  return Status::Ok();
}

Result<PulledImage> PullFrom(ImageStore& store, RegistrySession& session, const Reference& wanted,
                             const PullSource& source, const PullOptions& options) {
  const Reference& ref = source.ref;
  ASSIGN_OR_RETURN(auto client, session.ClientFor(ref.domain, ref.path, source.insecure));
  Repository repo(*client, ref.path);
  ASSIGN_OR_RETURN(FetchedManifest top, repo.GetManifest(ref.ManifestRef()));
  FetchedManifest chosen = top;
  if (oci::IsIndexMediaType(top.media_type)) {
    ASSIGN_OR_RETURN(oci::Index index, oci::ParseIndex(top.bytes));
    Platform want = options.platform ? *options.platform : Platform::Host();
    auto entry = oci::SelectPlatform(index, want);
    if (!entry.ok()) return entry.status().Annotate("choosing the image for " + want.ToString());
    ASSIGN_OR_RETURN(chosen, repo.GetManifest(entry->digest.ToString()));
    if (oci::IsIndexMediaType(chosen.media_type))
      return UnimplementedError("nested image indexes are not supported");
  }
  if (!oci::IsManifestMediaType(chosen.media_type))
    return UnimplementedError("unsupported manifest media type \"" + chosen.media_type + "\"");
  ASSIGN_OR_RETURN(oci::Manifest manifest, oci::ParseManifest(chosen.bytes));

  ASSIGN_OR_RETURN(Lease lease, store.AcquireLease());
  std::vector<Job> jobs;
  jobs.push_back({manifest.config, Status(), false});
  for (const auto& l : manifest.layers) {
    if (!l.urls.empty() && !store.blobs().Has(l.digest))
      SHALE_LOG(Info) << "layer " << l.digest.ToString() << " lists external URLs; fetching it from the registry";
    jobs.push_back({l, Status(), false});
  }
  for (const auto& j : jobs) RETURN_IF_ERROR(lease.Pin(j.descriptor.digest));
  session.Progress("Getting image source signatures");
  RETURN_IF_ERROR(FetchAll(repo, store.blobs(), jobs, options.parallel, session));

  session.Progress("Writing manifest to image destination");
  ASSIGN_OR_RETURN(Descriptor mdesc, store.blobs().PutBlob(chosen.bytes, chosen.media_type));
  if (mdesc.digest != chosen.digest) return InternalError("stored manifest digest differs from the received one");
  RETURN_IF_ERROR(lease.Pin(mdesc.digest));
  std::string name = wanted.tag.empty() ? wanted.ToString() : wanted.Name() + ":" + wanted.tag;
  RETURN_IF_ERROR(store.Tag(name, mdesc));

  BlobSources sources = BlobSources::Load(store.blobs().root());
  for (const auto& j : jobs) sources.Add(j.descriptor.digest, ref.Name());
  if (Status s = sources.Save(); !s.ok()) SHALE_LOG(Warning) << "recording blob sources: " << s.ToString();

  PulledImage out;
  out.record = ImageRecord{name, mdesc};
  out.reference = wanted;
  out.source = ref;
  out.config = manifest.config;
  out.layers = manifest.layers;
  for (const auto& j : jobs) (j.skipped ? out.blobs_skipped : out.blobs_fetched)++;
  return out;
}

}  // namespace

Result<PulledImage> PullReference(ImageStore& store, const Reference& ref, const PullOptions& options) {
  std::string what = "pulling " + ref.ToString();
  auto policy = SignaturePolicy::Load(options.signature_policy);
  if (!policy.ok()) return policy.status().Annotate(what);
  RETURN_IF_ERROR(policy->CheckPull(ref).Annotate(what));
  auto session = RegistrySession::Create(options.registry);
  if (!session.ok()) return session.status().Annotate(what);
  auto sources = (*session)->conf().PullSources(ref);
  if (!sources.ok()) return sources.status().Annotate(what);
  Status last;
  // As podman: the name asked for, once; mirrors and rewritten locations
  // are how it is fetched (debug lines, a warning when a mirror fails).
  (*session)->Progress("Trying to pull " + ref.ToString() + "...");
  for (const auto& src : *sources) {
    SHALE_LOG(Debug) << "pulling " << ref.ToString() << " from " << src.ref.ToString();
    auto r = PullFrom(store, **session, ref, src, options);
    if (r.ok()) return r;
    last = r.status();
    if (!src.mirror) break;
    SHALE_LOG(Warning) << "mirror " << src.ref.domain << " failed, trying the next source: " << last.ToString();
  }
  return last.Annotate(what);
}

Result<PulledImage> PullImage(ImageStore& store, std::string_view image, const PullOptions& options) {
  std::string_view text = image;
  if (text.rfind("docker://", 0) == 0) text.remove_prefix(9);
  RegistriesConf conf;
  if (options.registry.registries_conf) {
    conf = *options.registry.registries_conf;
  } else {
    auto loaded = RegistriesConf::Load();
    if (!loaded.ok()) return loaded.status().Annotate("pulling " + std::string(image));
    conf = *loaded;
  }
  auto ref = ResolveShortName(text, conf);
  if (!ref.ok()) return ref.status();
  PullOptions o = options;
  o.registry.registries_conf = conf;
  return PullReference(store, *ref, o);
}

}  // namespace shale
