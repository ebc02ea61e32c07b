// BlobStore: the content-addressed half of the store. The store root IS an
// OCI image layout (image-spec "image-layout"):
//
//   <root>/oci-layout            {"imageLayoutVersion":"1.0.0"}
//   <root>/index.json            named images (see image_store.h)
//   <root>/blobs/sha256/<hex>    immutable content, named by its sha256
//   <root>/tmp/                  in-flight writes (same filesystem; never read by others)
//   (further shale-private state lives in dot-free subfolders the storage
//    module documents beside the class that owns it, e.g. <root>/shale/…)
//
// Writing a blob: temp file in <root>/tmp → fsync → verify digest and size →
// rename into blobs/ → fsync the directory. So a blob is visible only when
// complete and correct; kill -9 at any point leaves at most a stray temp file,
// which Open() ignores and prune removes. Writing a blob that already exists is
// OK (the temp file is discarded). All methods are safe to call from several
// threads and several processes on one root.
#ifndef SHALE_STORAGE_BLOB_STORE_H_
#define SHALE_STORAGE_BLOB_STORE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/byte_sink.h"
#include "base/descriptor.h"
#include "base/digest.h"
#include "base/fd.h"
#include "base/status.h"

namespace shale {

// Streams one new blob into the store while hashing it.
class BlobWriter : public ByteSink {
 public:
  // Removes the temp file unless Commit() succeeded.
  ~BlobWriter() override;

  Status Write(const void* data, size_t len) override;
  using ByteSink::Write;
  uint64_t bytes_written() const;

  // Finishes the blob. When `expected` is valid, the computed digest must equal
  // it, and when expected_size >= 0 the byte count must equal it; otherwise
  // DataLoss naming both values, and the temp file is removed (nothing visible).
  // On success the blob is durable and visible; returns digest and size
  // (media_type empty: the caller knows it).
  Result<Descriptor> Commit(const Digest& expected = Digest(), int64_t expected_size = -1);

  // Discards the temp file. Idempotent.
  void Abort();

  struct Impl;
  explicit BlobWriter(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

class BlobStore {
 public:
  // Opens the layout at root, creating it (oci-layout, empty index.json,
  // blobs/sha256, tmp) when absent. FailedPrecondition when root holds an
  // oci-layout with an unsupported imageLayoutVersion.
  static Result<std::unique_ptr<BlobStore>> Open(const std::string& root);
  ~BlobStore();

  const std::string& root() const;
  // <root>/blobs/<algorithm>/<hex>. The digest must be valid (Digest::Parse).
  std::string PathOf(const Digest& digest) const;

  bool Has(const Digest& digest) const;
  // NotFound when absent.
  Result<int64_t> Size(const Digest& digest) const;
  // Opens a blob read-only (O_CLOEXEC). NotFound when absent.
  Result<UniqueFd> OpenBlob(const Digest& digest) const;
  // Reads a whole blob, capped (ResourceExhausted over max_bytes), and
  // verifies its digest (DataLoss when the content does not match its name).
  Result<std::string> ReadBlob(const Digest& digest, size_t max_bytes) const;
  // Re-hashes a blob. OK, NotFound, or DataLoss.
  Status VerifyBlob(const Digest& digest) const;

  Result<std::unique_ptr<BlobWriter>> NewWriter();
  // Writes small content in one call; returns its descriptor with media_type set.
  Result<Descriptor> PutBlob(std::string_view data, std::string media_type);

  // Removes a blob (used by prune and repair). OK when absent.
  Status RemoveBlob(const Digest& digest);

  struct Impl;

 private:
  explicit BlobStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace shale

#endif  // SHALE_STORAGE_BLOB_STORE_H_
