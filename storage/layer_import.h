// Layer import: turns an arbitrary tar stream into a normalised, deterministic
// layer blob. Used by `shale import` (a rootfs tarball → one-layer image).
#ifndef SHALE_STORAGE_LAYER_IMPORT_H_
#define SHALE_STORAGE_LAYER_IMPORT_H_

#include <cstdint>
#include <optional>

#include "base/descriptor.h"
#include "base/status.h"
#include "storage/blob_store.h"

namespace shale {

enum class Compression { kNone, kGzip, kZstd };

struct LayerWriterOptions {
  Compression compression = Compression::kGzip;
  std::optional<int64_t> source_date_epoch;  // clamp every mtime to this
  int threads = 0;                           // compression threads; 0 = number of CPUs
  int level = -1;                            // codec default
};

struct LayerInfo {
  Descriptor descriptor;  // the compressed blob: OCI layer media type, digest, size
  Digest diff_id;         // sha256 of the uncompressed tar
  int64_t uncompressed_size = 0;
};

// Reads a tar stream from fd (plain, gzip or zstd, detected by magic bytes),
// re-encodes every entry as PAX with numeric uid/gid, no user/group names and
// mtimes clamped to source_date_epoch, in input order, compresses it, and
// commits it to `store`. The same input and options always give the same
// digest. Entry names that escape (../) are InvalidArgument; a truncated or
// corrupt stream is DataLoss; caps per SECURITY.md §2 give ResourceExhausted.
// On failure nothing becomes visible in the store.
Result<LayerInfo> ImportTarStream(int fd, BlobStore& store, const LayerWriterOptions& options);

}  // namespace shale

#endif  // SHALE_STORAGE_LAYER_IMPORT_H_
