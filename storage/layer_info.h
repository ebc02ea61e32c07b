// Vocabulary shared by the layer writer, importer, applier and snapshotters.
#ifndef SHALE_STORAGE_LAYER_INFO_H_
#define SHALE_STORAGE_LAYER_INFO_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "base/descriptor.h"
#include "base/digest.h"
#include "base/status.h"

namespace shale {

enum class Compression { kNone, kGzip, kZstd };

// Caps applied to every tar stream we read (SECURITY.md §2). Over a cap the
// read stops with ResourceExhausted naming the cap.
struct TarLimits {
  int64_t max_header_bytes = 1 << 20;           // one path, link target or xattr value
  int64_t max_entries = 2'000'000;              // entries in one layer
  int64_t max_uncompressed_bytes = int64_t{1} << 40;  // tar bytes after decompression
};

struct LayerWriterOptions {
  Compression compression = Compression::kGzip;
  std::optional<int64_t> source_date_epoch;  // clamp every mtime to this
  int threads = 0;                           // compression threads; 0 = number of CPUs
  int level = -1;                            // codec default
  TarLimits limits;                          // used when an input tar is read (import)
};

struct LayerInfo {
  Descriptor descriptor;  // the compressed blob: OCI layer media type, digest, size
  Digest diff_id;         // sha256 of the uncompressed tar
  int64_t uncompressed_size = 0;
};

// The OCI layer media type for a compression.
std::string_view LayerMediaType(Compression compression);
// "gzip", "zstd", "none" → Compression; InvalidArgument otherwise.
Result<Compression> ParseCompression(std::string_view name);
// SOURCE_DATE_EPOCH from the environment when set to a valid integer.
std::optional<int64_t> SourceDateEpochFromEnv();

}  // namespace shale

#endif  // SHALE_STORAGE_LAYER_INFO_H_
