// Choosing an isolation backend: --isolation, then $SHALE_ISOLATION, then
// $BUILDAH_ISOLATION (so existing CI templates work unchanged), else
// rootless for ordinary users and chroot for root.
#ifndef SHALE_RUNTIME_SELECT_H_
#define SHALE_RUNTIME_SELECT_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "runtime/host_features.h"
#include "runtime/isolation_backend.h"

namespace shale::runtime {

// Pure. The first non-empty of flag, shale_env, buildah_env decides; values
// "chroot", "rootless", "oci" (case-insensitive). InvalidArgument names the
// source of a bad value. `host_root`: the user who ran shale is root (see
// HostUid(): inside shale's user namespace that is still the original user).
Result<Isolation> SelectIsolation(std::string_view flag, std::string_view shale_env,
                                  std::string_view buildah_env, bool host_root);

// SelectIsolation with the real environment and HostUid().
Result<Isolation> SelectIsolationFromEnvironment(std::string_view flag);

struct BackendOptions {
  std::string oci_runtime;  // --runtime; empty: containers.conf, runc, crun
};

// The backend object. The oci backend fails here (NotFound) when no runtime
// exists; the others fail at Run() when the host forbids what they need.
Result<std::unique_ptr<IsolationBackend>> MakeBackend(Isolation isolation, const BackendOptions& options = {});

// For `shale info`: whether each backend can run a step here, and why not.
struct BackendAvailability {
  Isolation isolation;
  bool available = false;
  std::string detail;  // what it will use, or why it cannot run
};
// `host` is what this process may do; `host_root` as above; `oci_runtime`
// as BackendOptions. A non-root user who has not re-entered shale's user
// namespace is judged by what that namespace would allow (unshare_user).
std::vector<BackendAvailability> CheckBackends(const HostFeatures& host, bool host_root,
                                               const std::string& oci_runtime);

}  // namespace shale::runtime

#endif  // SHALE_RUNTIME_SELECT_H_
