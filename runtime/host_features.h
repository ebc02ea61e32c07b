// What this process may do here, probed once: which namespaces it can
// create, whether it can mount and mknod. Backends plan from these facts;
// `shale info` prints them.
#ifndef SHALE_RUNTIME_HOST_FEATURES_H_
#define SHALE_RUNTIME_HOST_FEATURES_H_

#include <string>

#include "base/status.h"

namespace shale::runtime {

struct HostFeatures {
  bool euid_root = false;          // geteuid() == 0 (also inside shale's user ns)
  bool in_user_namespace = false;  // not the initial user namespace
  bool unshare_mount = false;
  bool unshare_uts = false;
  bool unshare_ipc = false;
  bool unshare_pid = false;
  bool unshare_net = false;
  bool unshare_user = false;
  bool mount_allowed = false;  // a tmpfs could be mounted in a new mount ns
  bool mknod_allowed = false;  // CAP_MKNOD and not in a user namespace
  int denied_errno = 0;        // errno of the first denied unshare/mount, 0 if none
};

// Probes in a short-lived child (fork + unshare attempts); cached after the
// first call. Never fails: what could not be tried reads as "not allowed".
const HostFeatures& ProbeHostFeatures();

// Uncached probe (tests, `shale info`).
HostFeatures ProbeHostFeaturesNow();

// Whether an overlayfs can be mounted here: as root directly, as an
// ordinary user inside a fresh user+mount namespace (kernel >= 5.11). Tries
// it in a child under a temp dir. OK, or the reason it cannot.
Status ProbeOverlayMount();

// "mount namespace denied (Operation not permitted)" style summary.
std::string DescribeDenied(const HostFeatures& f);

}  // namespace shale::runtime

#endif  // SHALE_RUNTIME_HOST_FEATURES_H_
