// Driver for tests/bench/layers_*.sh. Prints "key=value" lines.
//   layers_bench commit DIR gzip|zstd|none OUT   layer of the whole tree → OUT
//   layers_bench diff DIR N                      index, change N files, native diff; then hash every file
//   layers_bench apply LAYER DIR                 apply a layer blob into DIR
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "base/digest.h"
#include "base/fd.h"
#include "storage/layer_apply.h"
#include "storage/layer_writer.h"
#include "storage/native_index.h"

namespace {

using Clock = std::chrono::steady_clock;
double Ms(Clock::time_point a) { return std::chrono::duration<double, std::milli>(Clock::now() - a).count(); }

class FdSink : public shale::ByteSink {
 public:
  explicit FdSink(int fd) : fd_(fd) {}
  shale::Status Write(const void* d, size_t n) override { return shale::WriteAll(fd_, d, n); }

 private:
  int fd_;
};

int Fail(const shale::Status& s) {
  std::fprintf(stderr, "error: %s\n", s.ToString().c_str());
  return 1;
}

int Commit(const std::string& dir, const std::string& codec, const std::string& out) {
  auto c = shale::ParseCompression(codec);
  if (!c.ok()) return Fail(c.status());
  shale::Changes changes;
  changes.source_root = dir;
  shale::UniqueFd root(open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  auto index = shale::BuildNativeIndex(root.get());
  if (!index.ok()) return Fail(index.status());
  for (const auto& [p, r] : *index)
    if (p.find('/') == std::string::npos) changes.entries.push_back({shale::Change::Kind::kAddTree, p});
  shale::UniqueFd fd(open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  FdSink sink(fd.get());
  shale::LayerWriterOptions o;
  o.compression = *c;
  auto t = Clock::now();
  auto info = shale::WriteLayer(changes, o, sink);
  if (!info.ok()) return Fail(info.status());
  std::printf("ms=%.1f\ndigest=%s\ndiff_id=%s\nsize=%lld\nuncompressed=%lld\n", Ms(t),
              info->descriptor.digest.ToString().c_str(), info->diff_id.ToString().c_str(),
              static_cast<long long>(info->descriptor.size), static_cast<long long>(info->uncompressed_size));
  return 0;
}

int Diff(const std::string& dir, int n) {
  shale::UniqueFd root(open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  auto t = Clock::now();
  auto index = shale::BuildNativeIndex(root.get());
  if (!index.ok()) return Fail(index.status());
  std::printf("entries=%zu\nindex_ms=%.1f\n", index->size(), Ms(t));
  int changed = 0;
  for (const auto& [p, r] : *index) {
    if (changed >= n) break;
    if (!S_ISREG(r.mode)) continue;
    int fd = open((dir + "/" + p).c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (write(fd, "x", 1) != 1) return 1;
    close(fd);
    ++changed;
  }
  shale::NativeIndex after;
  t = Clock::now();
  auto changes = shale::DiffNativeIndex(root.get(), *index, {}, &after);
  if (!changes.ok()) return Fail(changes.status());
  std::printf("diff_ms=%.1f\nchanges=%zu\n", Ms(t), changes->entries.size());
  // What a hashing snapshotter does: read and hash every file.
  t = Clock::now();
  std::vector<char> buf(1 << 20);
  for (const auto& [p, r] : after) {
    if (!S_ISREG(r.mode)) continue;
    shale::UniqueFd fd(open((dir + "/" + p).c_str(), O_RDONLY | O_CLOEXEC));
    shale::Digester d;
    ssize_t k;
    while ((k = read(fd.get(), buf.data(), buf.size())) > 0) d.Update(buf.data(), static_cast<size_t>(k));
    (void)d.Finish();
  }
  std::printf("hash_all_ms=%.1f\n", Ms(t));
  return 0;
}

int Apply(const std::string& layer, const std::string& dir) {
  shale::UniqueFd fd(open(layer.c_str(), O_RDONLY | O_CLOEXEC));
  auto t = Clock::now();
  auto r = shale::ApplyLayer(fd.get(), dir);
  if (!r.ok()) return Fail(r.status());
  std::printf("ms=%.1f\nentries=%lld\n", Ms(t), static_cast<long long>(r->entries));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> a(argv + 1, argv + argc);
  if (a.size() == 4 && a[0] == "commit") return Commit(a[1], a[2], a[3]);
  if (a.size() == 3 && a[0] == "diff") return Diff(a[1], std::stoi(a[2]));
  if (a.size() == 3 && a[0] == "apply") return Apply(a[1], a[2]);
  std::fprintf(stderr, "usage: layers_bench commit DIR CODEC OUT | diff DIR N | apply LAYER DIR\n");
  return 125;
}
