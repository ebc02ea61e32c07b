#include "storage/image_store.h"

#include <algorithm>
#include <utility>

#include "storage/file_lock.h"
#include "storage/image_store_impl.h"
#include "storage/internal/index_file.h"
#include "storage/oci/json.h"
#include "storage/oci/manifest.h"
#include "storage/oci/media_types.h"

namespace shale {

using internal::ReadIndexFile;
using internal::RefNameOf;
using internal::WriteIndexFile;

namespace {

ImageRecord ToRecord(const Descriptor& entry) { return ImageRecord{RefNameOf(entry), entry}; }

bool IsHexPrefix(std::string_view s) {
  if (s.size() < 3 || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

ImageStore::ImageStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ImageStore::~ImageStore() = default;

Result<std::unique_ptr<ImageStore>> ImageStore::Open(const std::string& root) {
  ASSIGN_OR_RETURN(auto blobs, BlobStore::Open(root));
  auto impl = std::make_unique<Impl>(std::move(blobs));
  for (const std::string& dir : {impl->paths.lease_dir(), impl->paths.roots_dir()}) RETURN_IF_ERROR(MakeDirs(dir));
  return std::unique_ptr<ImageStore>(new ImageStore(std::move(impl)));
}

BlobStore& ImageStore::blobs() { return *impl_->blobs; }
const BlobStore& ImageStore::blobs() const { return *impl_->blobs; }

Result<std::vector<ImageRecord>> ImageStore::List() const {
  ASSIGN_OR_RETURN(oci::Index index, ReadIndexFile(impl_->paths));
  std::vector<ImageRecord> out;
  out.reserve(index.manifests.size());
  for (const Descriptor& d : index.manifests) out.push_back(ToRecord(d));
  return out;
}

Result<Digest> ImageStore::ImageId(const ImageRecord& record) const {
  if (!oci::IsManifestMediaType(record.manifest.media_type)) return record.manifest.digest;
  ASSIGN_OR_RETURN(std::string bytes, impl_->blobs->ReadBlob(record.manifest.digest, oci::kMaxJsonBytes));
  auto m = oci::ParseManifest(bytes);
  if (!m.ok()) return DataLossError("manifest " + record.manifest.digest.ToString() + ": " + m.status().ToString());
  return m->config.digest;
}

Result<ImageRecord> ImageStore::Find(std::string_view name_or_id) const {
  ASSIGN_OR_RETURN(std::vector<ImageRecord> all, List());
  for (const ImageRecord& r : all) {
    if (!r.name.empty() && r.name == name_or_id) return r;
  }
  std::string_view hex = name_or_id;
  bool full = false;
  if (hex.starts_with("sha256:")) {
    hex.remove_prefix(7);
    full = true;
  }
  if (!IsHexPrefix(hex) || (full && hex.size() != 64))
    return NotFoundError("image not known: " + std::string(name_or_id.substr(0, 300)));
  const ImageRecord* found = nullptr;
  Digest found_id;
  for (const ImageRecord& r : all) {
    Digest id;
    if (auto i = ImageId(r); i.ok()) id = *i;
    bool match = r.manifest.digest.hex().starts_with(hex) || (id.valid() && id.hex().starts_with(hex));
    if (!match) continue;
    if (found && found->manifest.digest != r.manifest.digest && found_id != id)
      return InvalidArgumentError("image id prefix \"" + std::string(hex) + "\" is ambiguous");
    if (!found) {
      found = &r;
      found_id = id;
    }
  }
  if (!found) return NotFoundError("image not known: " + std::string(name_or_id.substr(0, 300)));
  return *found;
}

Status ImageStore::Impl::CheckComplete(const Descriptor& d, int depth) const {
  if (depth > 4) return FailedPreconditionError("index nesting too deep at " + d.digest.ToString());
  auto size = blobs->Size(d.digest);
  if (!size.ok()) return FailedPreconditionError("blob " + d.digest.ToString() + " is not in the store");
  if (*size != d.size)
    return FailedPreconditionError("blob " + d.digest.ToString() + " has " + std::to_string(*size) +
                                   " bytes, the descriptor says " + std::to_string(d.size));
  if (!oci::IsManifestMediaType(d.media_type) && !oci::IsIndexMediaType(d.media_type)) return Status();
  ASSIGN_OR_RETURN(std::vector<Descriptor> children, internal::ReferencedBy(*blobs, d.digest, d.media_type));
  bool is_index = oci::IsIndexMediaType(d.media_type);
  for (const Descriptor& child : children) {
    if (is_index && !blobs->Has(child.digest)) continue;
    Status s = CheckComplete(child, depth + 1);
    if (!s.ok()) return s.Annotate(d.digest.ToString());
  }
  return Status();
}

Status ImageStore::Tag(const std::string& name, const Descriptor& manifest) {
  if (!name.empty() && !internal::IsValidRefName(name))
    return InvalidArgumentError("invalid image name \"" + name.substr(0, 300) + "\"");
  if (!oci::IsManifestMediaType(manifest.media_type) && !oci::IsIndexMediaType(manifest.media_type))
    return InvalidArgumentError("cannot tag " + manifest.digest.ToString() + ": media type \"" +
                                manifest.media_type + "\" is not a manifest or index");
  Status complete = impl_->CheckComplete(manifest, 0);
  if (!complete.ok()) return complete.Annotate("tagging " + (name.empty() ? manifest.digest.ToString() : name));
  ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(impl_->paths.index_lock(), FileLock::Mode::kExclusive));
  ASSIGN_OR_RETURN(oci::Index index, ReadIndexFile(impl_->paths));
  Descriptor entry = manifest;
  entry.platform.reset();
  entry.annotations.erase(kRefNameAnnotation);
  if (name.empty()) {
    for (const Descriptor& d : index.manifests) {
      if (d.digest == manifest.digest) return Status();
    }
  } else {
    std::erase_if(index.manifests, [&](const Descriptor& d) { return RefNameOf(d) == name; });
    entry.annotations[kRefNameAnnotation] = name;
  }
  // A name now pointing elsewhere replaces any unnamed entry for the same image.
  std::erase_if(index.manifests,
                [&](const Descriptor& d) { return d.digest == manifest.digest && RefNameOf(d).empty(); });
  index.manifests.push_back(std::move(entry));
  return WriteIndexFile(impl_->paths, index);
}

Status ImageStore::Untag(const std::string& name) {
  ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(impl_->paths.index_lock(), FileLock::Mode::kExclusive));
  ASSIGN_OR_RETURN(oci::Index index, ReadIndexFile(impl_->paths));
  size_t removed = std::erase_if(index.manifests, [&](const Descriptor& d) {
    return !name.empty() && RefNameOf(d) == name;
  });
  if (removed == 0) return NotFoundError("image name not known: " + name.substr(0, 300));
  return WriteIndexFile(impl_->paths, index);
}

Status ImageStore::Remove(const Digest& manifest) {
  ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(impl_->paths.index_lock(), FileLock::Mode::kExclusive));
  ASSIGN_OR_RETURN(oci::Index index, ReadIndexFile(impl_->paths));
  size_t removed = std::erase_if(index.manifests, [&](const Descriptor& d) { return d.digest == manifest; });
  if (removed == 0) return NotFoundError("no image " + manifest.ToString() + " in the index");
  return WriteIndexFile(impl_->paths, index);
}

}  // namespace shale
