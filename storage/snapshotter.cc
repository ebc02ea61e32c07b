#include "storage/snapshotter.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <random>

#include "base/digest.h"
#include "base/log.h"
#include "storage/snapshot_paths.h"

namespace shale {

std::string ShaleStateDir(const std::string& store_root) { return store_root + "/shale"; }

Result<std::string> NewWorkDir(const std::string& store_root, const std::string& kind) {
  static std::atomic<uint64_t> counter{0};
  static thread_local std::mt19937_64 rng(std::random_device{}());
  std::string base = ShaleStateDir(store_root) + "/work";
  RETURN_IF_ERROR(MakeDirs(base, 0700));
  for (int attempt = 0; attempt < 8; ++attempt) {
    std::string dir = base + "/" + kind + "-" + std::to_string(getpid()) + "-" + std::to_string(++counter) + "-" +
                      std::to_string(rng() % 1000000);
    if (::mkdir(dir.c_str(), 0700) == 0) return dir;
    if (errno != EEXIST) return ErrnoToStatus(errno, "mkdir " + dir);
  }
  return InternalError("cannot create a working directory under " + base);
}

Digest ChainId(const std::vector<Digest>& diff_ids) {
  Digest chain;
  for (const Digest& d : diff_ids) chain = chain.valid() ? Digest::Sha256(chain.ToString() + " " + d.ToString()) : d;
  return chain;
}

Result<std::unique_ptr<Snapshotter>> SelectSnapshotter(std::string_view flag, const std::string& store_root) {
  if (flag == "native") return NewNativeSnapshotter(store_root);
  if (flag == "overlay") return NewOverlaySnapshotter(store_root);
  if (!flag.empty() && flag != "auto")
    return InvalidArgumentError("unknown storage driver \"" + std::string(flag) + "\" (overlay, native)");
  if (OverlayAvailable(store_root)) {
    auto s = NewOverlaySnapshotter(store_root);
    if (s.ok()) return s;
  }
  SHALE_LOG(Debug) << "overlay cannot be mounted here; using the native snapshotter";
  return NewNativeSnapshotter(store_root);
}

}  // namespace shale
