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

std::string WorkParentDir(const std::string& store_root) { return ShaleStateDir(store_root) + "/work"; }

Result<StateDir> NewWorkDir(const std::string& store_root, const std::string& kind) {
  return StateDir::Create(store_root, WorkParentDir(store_root), kind + "-");
}

std::string ScratchParentDir(const std::string& store_root) { return ShaleStateDir(store_root) + "/tmp"; }

Result<StateDir> NewScratchDir(const std::string& store_root, const std::string& kind) {
  return StateDir::Create(store_root, ScratchParentDir(store_root), kind + "-");
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
