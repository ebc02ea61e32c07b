// Directories that metadata-looking instructions create in the rootfs, as
// buildah does: WORKDIR makes its directory (owned by the USER in effect),
// VOLUME makes each volume path so later steps can write below it.
#ifndef SHALE_BUILDER_DIR_STEPS_H_
#define SHALE_BUILDER_DIR_STEPS_H_

#include <cstdint>
#include <string>

#include "base/status.h"
#include "builder/build_state.h"

namespace shale {

// Makes directory `path` inside the rootfs open at rootfs_fd, resolving it
// as if chrooted there: ".." stops at the root, symlinks are followed inside
// the root — dangling ones too, so the missing target is what gets created
// (VOLUME /log with /log -> /data/log makes /data/log). Components it
// creates get mode 0755 and owner uid:gid (set through the new directory's
// fd; EPERM from chown is ignored for unprivileged builds); existing ones are
// left alone. Errors: FailedPrecondition when a component exists and is not
// a directory; InvalidArgument "open PATH: too many levels of symbolic links"
// after 40 symlinks (a link pointing at itself); errno-derived otherwise.
Status MakeDirInRoot(int rootfs_fd, const std::string& path, uint32_t uid, uint32_t gid);

namespace internal {

// VOLUME: the config change (config_ops) plus each path made with
// MakeDirInRoot (owned by root), committed like any filesystem step (an
// empty_layer history entry when every path already existed). Errors read
// `building at STEP "VOLUME …": …` as buildah's.
Status ExecuteVolume(BuildContext& ctx, int step, StageState& state);

}  // namespace internal
}  // namespace shale

#endif  // SHALE_BUILDER_DIR_STEPS_H_
