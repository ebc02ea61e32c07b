// Parallel, deterministic gzip (see compress.h for the format argument).
#include <zlib.h>

#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storage/compress.h"

namespace shale::internal {
namespace {

constexpr size_t kBlockSize = 128 * 1024;
constexpr size_t kDictSize = 32 * 1024;

struct Block {
  std::string in;
  std::string dict;
  std::string out;
  uint32_t crc = 0;
  bool done = false;
  Status status;
};

// One raw-deflate stream per worker, reset for every block.
class BlockDeflater {
 public:
  explicit BlockDeflater(int level) {
    std::memset(&strm_, 0, sizeof strm_);
    ok_ = deflateInit2(&strm_, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK;
  }
  ~BlockDeflater() {
    if (ok_) deflateEnd(&strm_);
  }

  void Run(Block* b) {
    b->crc = static_cast<uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(b->in.data()),
                                         static_cast<uInt>(b->in.size())));
    if (!ok_ || deflateReset(&strm_) != Z_OK) {
      b->status = InternalError("gzip: deflate init failed");
      return;
    }
    if (!b->dict.empty() &&
        deflateSetDictionary(&strm_, reinterpret_cast<const Bytef*>(b->dict.data()),
                             static_cast<uInt>(b->dict.size())) != Z_OK) {
      b->status = InternalError("gzip: deflateSetDictionary failed");
      return;
    }
    b->out.resize(deflateBound(&strm_, b->in.size()) + 64);
    strm_.next_in = reinterpret_cast<Bytef*>(b->in.data());
    strm_.avail_in = static_cast<uInt>(b->in.size());
    size_t produced = 0;
    while (true) {
      strm_.next_out = reinterpret_cast<Bytef*>(b->out.data() + produced);
      strm_.avail_out = static_cast<uInt>(b->out.size() - produced);
      int r = deflate(&strm_, Z_SYNC_FLUSH);
      produced = b->out.size() - strm_.avail_out;
      if (r != Z_OK && r != Z_BUF_ERROR) {
        b->status = InternalError("gzip: deflate failed");
        return;
      }
      if (strm_.avail_out != 0) break;
      b->out.resize(b->out.size() * 2);
    }
    b->out.resize(produced);
  }

 private:
  z_stream strm_;
  bool ok_ = false;
};

class ParallelGzipSink : public CompressingSink {
 public:
  ParallelGzipSink(int level, int threads, ByteSink* out)
      : level_(level), threads_(threads < 1 ? 1 : threads), out_(out) {
    if (threads_ == 1) {
      inline_deflater_ = std::make_unique<BlockDeflater>(level_);
    } else {
      for (int i = 0; i < threads_; ++i) workers_.emplace_back([this] { WorkerLoop(); });
    }
    cur_ = NewBlock();
  }

  ~ParallelGzipSink() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    work_cv_.notify_all();
    for (auto& t : workers_) t.join();
  }

  Status Write(const void* data, size_t len) override {
    if (finished_) return FailedPreconditionError("write after Finish");
    const char* p = static_cast<const char*>(data);
    while (len > 0) {
      size_t n = std::min(len, kBlockSize - cur_->in.size());
      cur_->in.append(p, n);
      p += n;
      len -= n;
      if (cur_->in.size() == kBlockSize) RETURN_IF_ERROR(Submit());
    }
    return Status();
  }

  Status Finish() override {
    if (finished_) return FailedPreconditionError("Finish called twice");
    finished_ = true;
    if (!cur_->in.empty()) RETURN_IF_ERROR(Submit());
    while (!inflight_.empty()) RETURN_IF_ERROR(DrainFront());
    RETURN_IF_ERROR(WriteHeaderOnce());
    // An empty final fixed-Huffman block ends the deflate stream.
    unsigned char trailer[10] = {0x03, 0x00};
    for (int i = 0; i < 4; ++i) trailer[2 + i] = static_cast<unsigned char>(crc_ >> (8 * i));
    for (int i = 0; i < 4; ++i) trailer[6 + i] = static_cast<unsigned char>(total_ >> (8 * i));
    return out_->Write(trailer, sizeof trailer);
  }

 private:
  std::unique_ptr<Block> NewBlock() {
    std::unique_ptr<Block> b;
    if (!free_.empty()) {
      b = std::move(free_.back());
      free_.pop_back();
      b->in.clear();
      b->dict.clear();
      b->done = false;
      b->status = Status();
    } else {
      b = std::make_unique<Block>();
      b->in.reserve(kBlockSize);
    }
    return b;
  }

  Status Submit() {
    cur_->dict = tail_;
    if (cur_->in.size() >= kDictSize) {
      tail_.assign(cur_->in, cur_->in.size() - kDictSize, kDictSize);
    } else {
      tail_.append(cur_->in);
      if (tail_.size() > kDictSize) tail_.erase(0, tail_.size() - kDictSize);
    }
    Block* raw = cur_.get();
    if (threads_ == 1) {
      inline_deflater_->Run(raw);
      raw->done = true;
      inflight_.push_back(std::move(cur_));
    } else {
      {
        std::lock_guard<std::mutex> lock(mu_);
        inflight_.push_back(std::move(cur_));
        queue_.push_back(raw);
      }
      work_cv_.notify_one();
    }
    cur_ = NewBlock();
    while (inflight_.size() > static_cast<size_t>(2 * threads_) || FrontDone())
      RETURN_IF_ERROR(DrainFront());
    return Status();
  }

  bool FrontDone() {
    if (inflight_.empty()) return false;
    std::lock_guard<std::mutex> lock(mu_);
    return inflight_.front()->done;
  }

  Status DrainFront() {
    Block* b = inflight_.front().get();
    {
      std::unique_lock<std::mutex> lock(mu_);
      done_cv_.wait(lock, [b] { return b->done; });
    }
    RETURN_IF_ERROR(b->status);
    RETURN_IF_ERROR(WriteHeaderOnce());
    RETURN_IF_ERROR(out_->Write(b->out.data(), b->out.size()));
    crc_ = static_cast<uint32_t>(crc32_combine(crc_, b->crc, static_cast<z_off_t>(b->in.size())));
    total_ += b->in.size();
    free_.push_back(std::move(inflight_.front()));
    inflight_.pop_front();
    return Status();
  }

  Status WriteHeaderOnce() {
    if (header_written_) return Status();
    header_written_ = true;
    // ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL=0 OS=255 (unknown): no host or
    // time leaks into the digest.
    static const unsigned char kHeader[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff};
    return out_->Write(kHeader, sizeof kHeader);
  }

  void WorkerLoop() {
    BlockDeflater deflater(level_);
    while (true) {
      Block* b;
      {
        std::unique_lock<std::mutex> lock(mu_);
        work_cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
        if (queue_.empty()) return;
        b = queue_.front();
        queue_.pop_front();
      }
      deflater.Run(b);
      {
        std::lock_guard<std::mutex> lock(mu_);
        b->done = true;
      }
      done_cv_.notify_all();
    }
  }

  const int level_;
  const int threads_;
  ByteSink* out_;
  std::unique_ptr<BlockDeflater> inline_deflater_;
  std::unique_ptr<Block> cur_;
  std::deque<std::unique_ptr<Block>> inflight_;  // submission order
  std::vector<std::unique_ptr<Block>> free_;
  std::string tail_;  // last kDictSize bytes of input submitted so far
  uint32_t crc_ = 0;
  uint64_t total_ = 0;
  bool header_written_ = false;
  bool finished_ = false;

  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  std::deque<Block*> queue_;
  std::vector<std::thread> workers_;
  bool stop_ = false;
};

}  // namespace

std::unique_ptr<CompressingSink> NewParallelGzipSink(int level, int threads, ByteSink* out) {
  return std::make_unique<ParallelGzipSink>(level, threads, out);
}

}  // namespace shale::internal
