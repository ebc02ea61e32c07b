#include <zstd.h>

#include <string>

#include "storage/compress.h"

namespace shale::internal {
namespace {

class ZstdSink : public CompressingSink {
 public:
  ZstdSink(ZSTD_CCtx* cctx, ByteSink* out) : cctx_(cctx), out_(out), buf_(ZSTD_CStreamOutSize(), '\0') {}
  ~ZstdSink() override { ZSTD_freeCCtx(cctx_); }

  Status Write(const void* data, size_t len) override {
    if (finished_) return FailedPreconditionError("write after Finish");
    ZSTD_inBuffer in{data, len, 0};
    while (in.pos < in.size) RETURN_IF_ERROR(Step(&in, ZSTD_e_continue).status());
    return Status();
  }

  Status Finish() override {
    if (finished_) return FailedPreconditionError("Finish called twice");
    finished_ = true;
    ZSTD_inBuffer in{nullptr, 0, 0};
    while (true) {
      ASSIGN_OR_RETURN(size_t remaining, Step(&in, ZSTD_e_end));
      if (remaining == 0) return Status();
    }
  }

 private:
  Result<size_t> Step(ZSTD_inBuffer* in, ZSTD_EndDirective mode) {
    ZSTD_outBuffer o{buf_.data(), buf_.size(), 0};
    size_t r = ZSTD_compressStream2(cctx_, &o, in, mode);
    if (ZSTD_isError(r)) return InternalError(std::string("zstd: ") + ZSTD_getErrorName(r));
    if (o.pos > 0) RETURN_IF_ERROR(out_->Write(buf_.data(), o.pos));
    return r;
  }

  ZSTD_CCtx* cctx_;
  ByteSink* out_;
  std::string buf_;
  bool finished_ = false;
};

}  // namespace

Result<std::unique_ptr<CompressingSink>> NewZstdSink(int level, int threads, ByteSink* out) {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  if (cctx == nullptr) return ResourceExhaustedError("zstd: cannot allocate a context");
  auto fail = [&](size_t r, const char* what) -> Status {
    ZSTD_freeCCtx(cctx);
    return InternalError(std::string("zstd: setting ") + what + ": " + ZSTD_getErrorName(r));
  };
  size_t r = ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
  if (ZSTD_isError(r)) return fail(r, "level");
  r = ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  if (ZSTD_isError(r)) return fail(r, "checksum");
  // Always >= 1 worker: zstd's output is identical for every nbWorkers >= 1
  // but differs from the single-threaded (0) mode.
  r = ZSTD_CCtx_setParameter(cctx, ZSTD_c_nbWorkers, threads < 1 ? 1 : threads);
  if (ZSTD_isError(r)) return fail(r, "nbWorkers (libzstd built without threads?)");
  // Bounded memory: each worker holds about one job plus the window, so a
  // fixed 2 MiB job keeps the whole codec well under 64 MiB (and fixes the
  // job boundaries, which the output depends on, whatever the level).
  r = ZSTD_CCtx_setParameter(cctx, ZSTD_c_jobSize, 2 << 20);
  if (ZSTD_isError(r)) return fail(r, "jobSize");
  return std::unique_ptr<CompressingSink>(new ZstdSink(cctx, out));
}

}  // namespace shale::internal
