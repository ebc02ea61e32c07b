// ImageStore: named images on top of the BlobStore. Names live in the
// layout's index.json, one manifest descriptor per name, with the name in the
// "org.opencontainers.image.ref.name" annotation (so `skopeo inspect
// oci:<root>:<name>` and `umoci unpack --image <root>:<name>` find them).
// Names are stored fully qualified as the caller gives them
// (e.g. "localhost/api:1", "docker.io/library/busybox:latest"); reference
// parsing/normalisation is the caller's job (registry/reference.h).
//
// index.json is rewritten atomically (temp → fsync → rename → fsync dir)
// under an exclusive OFD lock on <root>/shale/index.lock held only for the
// read-modify-write; readers never see a torn file. A manifest is tagged only
// after the manifest, its config and all its layers are in the blob store
// (Tag() checks), so every visible name points at a complete image.
//
// Leases: a running command that creates or uses blobs holds a Lease;
// Prune() never removes a blob that a live lease pinned or that was written
// after the oldest live lease began.
#ifndef SHALE_STORAGE_IMAGE_STORE_H_
#define SHALE_STORAGE_IMAGE_STORE_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/descriptor.h"
#include "base/status.h"
#include "storage/blob_store.h"

namespace shale {

struct ImageRecord {
  std::string name;      // as stored in ref.name; empty for an unnamed (dangling) entry
  Descriptor manifest;   // media type OCI/Docker manifest or index
};

// Keeps blobs alive against a concurrent Prune() while it exists.
class Lease {
 public:
  ~Lease();
  Lease(Lease&&) noexcept;
  Lease& operator=(Lease&&) noexcept;
  // Pins a blob (and, for manifests/indexes, the caller pins what it needs).
  Status Pin(const Digest& digest);

  struct Impl;
  explicit Lease(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

struct PruneReport {
  int64_t blobs_removed = 0;
  int64_t bytes_freed = 0;
  int64_t temp_files_removed = 0;
};

struct CheckReport {
  int64_t images_checked = 0;
  int64_t blobs_checked = 0;
  std::vector<std::string> problems;  // one line each: what is wrong and where
  bool ok() const { return problems.empty(); }
};

class ImageStore {
 public:
  static Result<std::unique_ptr<ImageStore>> Open(const std::string& root);
  ~ImageStore();

  BlobStore& blobs();

  // Every entry of index.json, in file order. DataLoss when index.json is corrupt.
  Result<std::vector<ImageRecord>> List() const;
  // By exact name, or by image id / manifest digest: full "sha256:<hex>" or a hex
  // prefix of ≥ 3 chars of the config digest (image id) or manifest digest.
  // NotFound; InvalidArgument when a prefix is ambiguous.
  Result<ImageRecord> Find(std::string_view name_or_id) const;
  // Points `name` at `manifest` (replacing any previous target). The manifest
  // blob and everything it references must be present: FailedPrecondition otherwise.
  Status Tag(const std::string& name, const Descriptor& manifest);
  // Removes the name. NotFound when absent.
  Status Untag(const std::string& name);

  Result<Lease> AcquireLease();
  // Removes blobs no name reaches (and stale temp files), respecting leases.
  Result<PruneReport> Prune();
  // Verifies index.json, every reachable manifest/config/layer: present, size
  // and digest correct, JSON well-formed.
  Result<CheckReport> Check();

  struct Impl;

 private:
  explicit ImageStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace shale

#endif  // SHALE_STORAGE_IMAGE_STORE_H_
