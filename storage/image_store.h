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
// after the oldest live lease began. A lease is a file
// <root>/shale/leases/<id> holding "start <unix ns>" and one pinned digest per
// line, OFD-locked by its holder for its lifetime: Prune treats an unlocked
// lease file as stale (its process died) and removes it.
//
// GC roots besides index.json: every file <root>/shale/roots/<anything>
// lists digests, one per line ("sha256:…"; other lines ignored); Prune keeps
// them and, when they are manifests or indexes, everything they reference.
// The build cache keeps its blobs alive this way (write the file atomically).
//
// Prune holds <root>/shale/gc.lock exclusively and the index lock for its
// whole mark-and-sweep; BlobWriter::Commit holds gc.lock shared around its
// rename. So a blob committed during a prune is never deleted by it, and a
// Tag() after a prune sees exactly what survived.
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
  // Abandoned private directories (their owner died, e.g. a killed build):
  // working trees under <root>/shale/work/, scratch directories under
  // <root>/shale/tmp/ and layer-cache unpacks (tmp-* under
  // <root>/shale/layers/overlay-*/). Those a live process holds are never
  // touched (state_dir.h).
  int64_t stale_dirs_removed = 0;
  int64_t stale_dir_bytes_freed = 0;
  std::vector<std::string> stale_dirs;           // their paths
  std::vector<std::string> stale_dir_problems;   // what could not be removed
};

struct CheckReport {
  int64_t images_checked = 0;
  int64_t blobs_checked = 0;
  std::vector<std::string> problems;  // one line each: what is wrong and where
  std::vector<std::string> repairs;   // what Check(repair=true) changed
  bool ok() const { return problems.empty(); }
};

class ImageStore {
 public:
  static Result<std::unique_ptr<ImageStore>> Open(const std::string& root);
  ~ImageStore();

  BlobStore& blobs();
  const BlobStore& blobs() const;

  // Every entry of index.json, in file order. DataLoss when index.json is corrupt.
  Result<std::vector<ImageRecord>> List() const;
  // By exact name, or by image id / manifest digest: full "sha256:<hex>" or a hex
  // prefix of ≥ 3 chars of the config digest (image id) or manifest digest.
  // NotFound; InvalidArgument when a prefix is ambiguous.
  Result<ImageRecord> Find(std::string_view name_or_id) const;
  // Points `name` at `manifest` (replacing any previous target). The manifest
  // blob and everything it references must be present: FailedPrecondition otherwise.
  // An empty name adds an unnamed entry (unless the digest is already listed).
  // Names must fit the OCI ref.name grammar (InvalidArgument otherwise).
  // For an index, the index blob must be present and every child manifest
  // that is present must be complete (a pulled index may hold one platform).
  // DataLoss when index.json is corrupt (it is then left untouched).
  Status Tag(const std::string& name, const Descriptor& manifest);
  // Removes the name. NotFound when absent.
  Status Untag(const std::string& name);
  // Removes every entry (named or not) that points at `manifest`. NotFound
  // when there is none.
  Status Remove(const Digest& manifest);

  // The image id: the config digest of a manifest entry, the digest of an
  // index entry itself. Reads (and verifies) the manifest blob.
  Result<Digest> ImageId(const ImageRecord& record) const;

  Result<Lease> AcquireLease();
  // Removes blobs no name reaches, stale temp files and abandoned working
  // directories, respecting leases and live builds.
  Result<PruneReport> Prune();
  // Verifies index.json, every reachable manifest/config/layer: present, size
  // and digest correct, JSON well-formed; and every other blob's content
  // against its name. Problems are listed in the report (the Result fails
  // only when the store cannot be read at all).
  // With repair: corrupt blobs are deleted, entries whose image is incomplete
  // are removed from index.json, and a corrupt index.json is moved aside to
  // <root>/shale/index.json.corrupt-<unix time> and rebuilt with an unnamed
  // entry per complete manifest found among the blobs; each change is listed
  // in `repairs`, and `problems` then lists what is still wrong.
  Result<CheckReport> Check(bool repair = false);

  struct Impl;

 private:
  explicit ImageStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace shale

#endif  // SHALE_STORAGE_IMAGE_STORE_H_
