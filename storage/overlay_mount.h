// Mounting overlayfs for the overlay snapshotter. Options are fixed so the
// upper dir stays a faithful diff: index=off, redirect_dir=off, metacopy=off
// (a renamed or chowned lower entry is fully copied up, never recorded as a
// redirect or a metadata-only copy); in a user namespace "userxattr" (overlay
// keeps its xattrs in user.overlay.*).
#ifndef SHALE_STORAGE_OVERLAY_MOUNT_H_
#define SHALE_STORAGE_OVERLAY_MOUNT_H_

#include <string>
#include <vector>

#include "base/status.h"

namespace shale {

struct OverlayMountSpec {
  std::vector<std::string> lowers;  // topmost first; at least one
  std::string upper;
  std::string work;
  std::string target;
  bool userxattr = false;
};

// Mounts with the new mount API (fsopen + "lowerdir+", no option-length
// limit), falling back to mount(2). PermissionDenied / FailedPrecondition
// when this process may not mount overlayfs.
Status MountOverlay(const OverlayMountSpec& spec);
// Lazy unmount. OK when not mounted.
Status UnmountOverlay(const std::string& target);
// True when this process runs in the initial user namespace.
bool InInitialUserNamespace();
// "trusted" in the initial user namespace as root, else "user".
std::string OverlayXattrNamespace();

}  // namespace shale

#endif  // SHALE_STORAGE_OVERLAY_MOUNT_H_
