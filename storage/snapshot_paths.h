// Where snapshotters keep their state under a store root:
//   <root>/shale/work/<kind>-<pid>-<n>-<rand>/      one working tree (removed by Close)
//   <root>/shale/work/<kind>-<pid>-<n>-<rand>.lock  held while it is in use (state_dir.h);
//                                                   prune removes trees nobody holds
//   <root>/shale/layers/                            unpacked layers (layer_cache.h)
//   <root>/shale/tmp/<kind>-<pid>-<n>-<rand>/       a command's transient files (a RUN
//                                                   step's secrets and heredoc pipes, ADD
//                                                   downloads, an --output export); locked
//                                                   the same way, prune removes the abandoned
#ifndef SHALE_STORAGE_SNAPSHOT_PATHS_H_
#define SHALE_STORAGE_SNAPSHOT_PATHS_H_

#include <string>

#include "base/status.h"
#include "storage/state_dir.h"

namespace shale {

std::string ShaleStateDir(const std::string& store_root);  // <root>/shale
std::string WorkParentDir(const std::string& store_root);  // <root>/shale/work
// Creates a fresh, empty working directory, locked as in use until the
// returned StateDir is released.
Result<StateDir> NewWorkDir(const std::string& store_root, const std::string& kind);

std::string ScratchParentDir(const std::string& store_root);  // <root>/shale/tmp
// Creates a fresh, empty scratch directory (mode 0700), locked as in use
// until the returned StateDir is released (RemoveAndRelease when done).
Result<StateDir> NewScratchDir(const std::string& store_root, const std::string& kind);

}  // namespace shale

#endif  // SHALE_STORAGE_SNAPSHOT_PATHS_H_
