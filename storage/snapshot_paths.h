// Where snapshotters keep their state under a store root:
//   <root>/shale/work/<kind>-<pid>-<n>-<rand>/  one working tree (removed by Close)
//   <root>/shale/layers/                        unpacked layers (layer_cache.h)
#ifndef SHALE_STORAGE_SNAPSHOT_PATHS_H_
#define SHALE_STORAGE_SNAPSHOT_PATHS_H_

#include <string>

#include "base/status.h"

namespace shale {

std::string ShaleStateDir(const std::string& store_root);  // <root>/shale
// Creates and returns a fresh, empty working directory.
Result<std::string> NewWorkDir(const std::string& store_root, const std::string& kind);

}  // namespace shale

#endif  // SHALE_STORAGE_SNAPSHOT_PATHS_H_
