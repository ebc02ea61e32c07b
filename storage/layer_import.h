// Layer import: turns an arbitrary tar stream into a normalised, deterministic
// layer blob. Used by `shale import` (a rootfs tarball → one-layer image).
#ifndef SHALE_STORAGE_LAYER_IMPORT_H_
#define SHALE_STORAGE_LAYER_IMPORT_H_

#include <cstdint>
#include <optional>

#include "base/descriptor.h"
#include "base/status.h"
#include "storage/blob_store.h"
#include "storage/layer_info.h"

namespace shale {

// Reads a tar stream from fd (plain, gzip or zstd, detected by magic bytes),
// re-encodes every entry as PAX with numeric uid/gid, no user/group names and
// mtimes clamped to source_date_epoch, in input order, compresses it, and
// commits it to `store`. The same input and options always give the same
// digest. Entry names that escape (../) are InvalidArgument; a truncated or
// corrupt stream is DataLoss; caps per SECURITY.md §2 give ResourceExhausted.
// On failure nothing becomes visible in the store.
Result<LayerInfo> ImportTarStream(int fd, BlobStore& store, const LayerWriterOptions& options);

// The same, writing the compressed layer into `out` instead of a store (the
// caller commits or discards what `out` received). On failure `out` may hold a
// partial stream.
Result<LayerInfo> ImportTarStreamToSink(int fd, ByteSink& out, const LayerWriterOptions& options);

}  // namespace shale

#endif  // SHALE_STORAGE_LAYER_IMPORT_H_
