// Streaming compressors that write into another ByteSink.
//
// gzip is pigz-style: the input is cut into fixed 128 KiB blocks, each block
// is raw-deflated on its own (primed with the previous block's last 32 KiB as
// dictionary, ended with Z_SYNC_FLUSH), and the blocks are concatenated into
// ONE gzip member with a fixed header (no name, mtime 0, OS 255) and a CRC
// combined with crc32_combine. Block boundaries and dictionaries depend only
// on the input, so the output is byte-identical whatever the thread count.
// zstd uses libzstd's own workers (nbWorkers >= 1 always, which zstd
// guarantees to be deterministic across worker counts).
// Memory is bounded: at most 2 blocks per thread are in flight.
#ifndef SHALE_STORAGE_COMPRESS_H_
#define SHALE_STORAGE_COMPRESS_H_

#include <memory>

#include "base/byte_sink.h"
#include "base/status.h"
#include "storage/layer_info.h"

namespace shale {

class CompressingSink : public ByteSink {
 public:
  // Flushes everything (codec trailer included) into the destination. Call
  // once; afterwards Write fails. Without Finish the output is incomplete.
  virtual Status Finish() = 0;
};

// `out` must outlive the returned sink. threads <= 0: number of CPUs.
// level < 0: codec default (gzip 6, zstd 3).
Result<std::unique_ptr<CompressingSink>> NewCompressingSink(Compression compression, int level,
                                                            int threads, ByteSink* out);

namespace internal {
std::unique_ptr<CompressingSink> NewParallelGzipSink(int level, int threads, ByteSink* out);
Result<std::unique_ptr<CompressingSink>> NewZstdSink(int level, int threads, ByteSink* out);
}  // namespace internal

}  // namespace shale

#endif  // SHALE_STORAGE_COMPRESS_H_
