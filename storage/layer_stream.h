// LayerStream: the one streaming pass that turns tar entries into a layer
// blob. tar bytes → sha256 (diff_id) → compressor → sha256 (digest) → sink.
// Nothing is buffered beyond the compressor's bounded block queue.
#ifndef SHALE_STORAGE_LAYER_STREAM_H_
#define SHALE_STORAGE_LAYER_STREAM_H_

#include <memory>

#include "base/byte_sink.h"
#include "base/digest.h"
#include "base/status.h"
#include "storage/compress.h"
#include "storage/layer_info.h"
#include "storage/tar_writer.h"

namespace shale {

// Hashes and counts every byte on its way to `next`.
class HashingSink : public ByteSink {
 public:
  explicit HashingSink(ByteSink* next) : next_(next) {}
  Status Write(const void* data, size_t len) override {
    digester_.Update(data, len);
    return next_->Write(data, len);
  }
  using ByteSink::Write;
  uint64_t bytes() const { return digester_.bytes(); }
  Digest Finish() { return digester_.Finish(); }

 private:
  ByteSink* next_;
  Digester digester_;
};

class LayerStream {
 public:
  // `out` must outlive the stream.
  static Result<std::unique_ptr<LayerStream>> Create(ByteSink* out, const LayerWriterOptions& options);

  TarWriter& tar() { return tar_; }
  const LayerWriterOptions& options() const { return options_; }
  // Clamps an mtime to source_date_epoch when set.
  int64_t ClampTime(int64_t mtime) const {
    return options_.source_date_epoch && mtime > *options_.source_date_epoch ? *options_.source_date_epoch
                                                                              : mtime;
  }

  // Ends the tar, flushes the compressor and returns the layer's identity
  // (descriptor media type from the compression). Call once.
  Result<LayerInfo> Finish();

 private:
  LayerStream(ByteSink* out, const LayerWriterOptions& options);

  LayerWriterOptions options_;
  HashingSink compressed_;
  std::unique_ptr<CompressingSink> compressor_;
  std::unique_ptr<HashingSink> uncompressed_;
  TarWriter tar_;
};

}  // namespace shale

#endif  // SHALE_STORAGE_LAYER_STREAM_H_
