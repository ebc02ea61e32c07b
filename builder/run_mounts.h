// RUN --mount: a step's mounts as runtime MountSpecs (bind from the context,
// a --build-context directory, a stage or an image, resolved in-root; cache
// directories under <root>/shale/cache-mounts keyed by sha256(id); secrets
// written to the step's private scratch; tmpfs), and that scratch directory.
#ifndef SHALE_BUILDER_RUN_MOUNTS_H_
#define SHALE_BUILDER_RUN_MOUNTS_H_

#include <string>
#include <vector>

#include "base/fd.h"
#include "base/status.h"
#include "builder/build_state.h"
#include "frontend/build_graph.h"
#include "runtime/run_spec.h"
#include "storage/state_dir.h"

namespace shale::internal {

// A RUN step's private files (secrets, heredoc pipes), made on first use
// under <root>/shale/tmp and removed when the step ends.
class StepScratch {
 public:
  explicit StepScratch(const std::string& store_root) : store_root_(store_root) {}
  ~StepScratch();  // removes the directory, if one was made
  StepScratch(const StepScratch&) = delete;
  StepScratch& operator=(const StepScratch&) = delete;
  // The directory (mode 0700, locked as in use: storage/snapshot_paths.h),
  // made on the first call.
  Result<std::string> Dir();

 private:
  std::string store_root_;
  StateDir dir_;
};

// The mounts of `run` for a step whose working directory is `workdir`
// (relative targets are taken from it, as buildah does). Secret files are
// written into `scratch` (mode from the mount, 0400 by default; never into
// the rootfs). A cache mount with sharing=locked holds an exclusive lock,
// appended to `locks`, until the caller drops it. A secret not given with
// --secret is skipped, or NotFound when the mount says required; ssh
// mounts: Unimplemented when required, else skipped.
Result<std::vector<runtime::MountSpec>> PlanMounts(BuildContext& ctx, const frontend::RunOp& run,
                                                   const std::string& workdir, StepScratch& scratch,
                                                   std::vector<UniqueFd>& locks);

}  // namespace shale::internal

#endif  // SHALE_BUILDER_RUN_MOUNTS_H_
