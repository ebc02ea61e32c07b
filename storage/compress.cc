#include "storage/compress.h"

#include <thread>

namespace shale {
namespace {

class PassthroughSink : public CompressingSink {
 public:
  explicit PassthroughSink(ByteSink* out) : out_(out) {}
  Status Write(const void* data, size_t len) override {
    if (finished_) return FailedPreconditionError("write after Finish");
    return out_->Write(data, len);
  }
  Status Finish() override {
    finished_ = true;
    return Status();
  }

 private:
  ByteSink* out_;
  bool finished_ = false;
};

}  // namespace

Result<std::unique_ptr<CompressingSink>> NewCompressingSink(Compression compression, int level,
                                                            int threads, ByteSink* out) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  switch (compression) {
    case Compression::kNone:
      return std::unique_ptr<CompressingSink>(new PassthroughSink(out));
    case Compression::kGzip:
      if (level > 9) return InvalidArgumentError("gzip level must be 0..9");
      return internal::NewParallelGzipSink(level < 0 ? 6 : level, threads, out);
    case Compression::kZstd:
      return internal::NewZstdSink(level < 0 ? 3 : level, threads, out);
  }
  return InvalidArgumentError("unknown compression");
}

}  // namespace shale
