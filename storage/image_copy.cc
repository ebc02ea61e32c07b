#include "storage/image_copy.h"

#include <unistd.h>

#include <vector>

#include "base/fd.h"
#include "storage/oci/manifest.h"
#include "storage/oci/media_types.h"

namespace shale {
namespace {

constexpr size_t kMaxManifestBytes = 4 << 20;

Status CopyBlob(const BlobStore& from, const Descriptor& d, BlobStore& to) {
  if (to.Has(d.digest)) return Status::Ok();
  ASSIGN_OR_RETURN(UniqueFd src, from.OpenBlob(d.digest));
  ASSIGN_OR_RETURN(std::unique_ptr<BlobWriter> writer, to.NewWriter());
  char buf[1 << 16];
  while (true) {
    ssize_t n = ::read(src.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoToStatus(errno, "read blob " + d.digest.ToString());
    if (n == 0) break;
    RETURN_IF_ERROR(writer->Write(buf, static_cast<size_t>(n)));
  }
  return writer->Commit(d.digest, d.size).status();
}

}  // namespace

Status CopyImage(const ImageStore& from, const Descriptor& manifest, ImageStore& to, const std::string& name) {
  if (manifest.media_type == media_type::kOciIndex || manifest.media_type == media_type::kDockerManifestList)
    return InvalidArgumentError("copying an image index is not supported (" + manifest.digest.ToString() + ")");
  ASSIGN_OR_RETURN(std::string bytes, from.blobs().ReadBlob(manifest.digest, kMaxManifestBytes));
  ASSIGN_OR_RETURN(oci::Manifest m, oci::ParseManifest(bytes));
  std::vector<Descriptor> blobs = m.layers;
  blobs.push_back(m.config);
  for (const Descriptor& d : blobs) RETURN_IF_ERROR(CopyBlob(from.blobs(), d, to.blobs()));
  RETURN_IF_ERROR(CopyBlob(from.blobs(), manifest, to.blobs()));
  return to.Tag(name, manifest);
}

Result<OciLayoutTarget> ParseOciLayoutTarget(const std::string& text) {
  OciLayoutTarget t;
  size_t colon = text.find(':');
  t.dir = text.substr(0, colon);
  if (colon != std::string::npos) t.ref = text.substr(colon + 1);
  if (t.dir.empty()) return InvalidArgumentError("oci: destination without a directory");
  return t;
}

}  // namespace shale
