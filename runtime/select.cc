#include "runtime/select.h"

#include <stdlib.h>

#include <cctype>

#include "runtime/namespace_backend.h"
#include "runtime/oci_backend.h"
#include "runtime/oci_config.h"
#include "runtime/userns_reexec.h"

namespace shale::runtime {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Result<Isolation> SelectIsolation(std::string_view flag, std::string_view shale_env,
                                  std::string_view buildah_env, bool host_root) {
  const std::pair<std::string_view, const char*> sources[] = {
      {flag, "--isolation"}, {shale_env, "SHALE_ISOLATION"}, {buildah_env, "BUILDAH_ISOLATION"}};
  for (const auto& [value, source] : sources) {
    if (value.empty()) continue;
    std::string v = Lower(value);
    if (v == "chroot") return Isolation::kChroot;
    if (v == "rootless") return Isolation::kRootless;
    if (v == "oci") return Isolation::kOci;
    return InvalidArgumentError(std::string("invalid ") + source + " \"" + std::string(value) +
                                "\": expected chroot, rootless or oci");
  }
  return host_root ? Isolation::kChroot : Isolation::kRootless;
}

Result<Isolation> SelectIsolationFromEnvironment(std::string_view flag) {
  const char* s = getenv("SHALE_ISOLATION");
  const char* b = getenv("BUILDAH_ISOLATION");
  return SelectIsolation(flag, s ? s : "", b ? b : "", HostUid() == 0);
}

Result<std::unique_ptr<IsolationBackend>> MakeBackend(Isolation isolation, const BackendOptions& options) {
  if (isolation == Isolation::kOci) {
    ASSIGN_OR_RETURN(auto b, OciBackend::Create(options.oci_runtime));
    return std::unique_ptr<IsolationBackend>(std::move(b));
  }
  return std::unique_ptr<IsolationBackend>(new NamespaceBackend(isolation));
}

std::vector<BackendAvailability> CheckBackends(const HostFeatures& host, bool host_root,
                                               const std::string& oci_runtime) {
  std::vector<BackendAvailability> out;
  // What a step sees: a non-root user runs inside shale's user namespace,
  // where it is root and may create the other namespaces if user ns work.
  HostFeatures f = host;
  // The owner of a user namespace may create every other kind of namespace
  // in it and mount there (seccomp did not stop unshare(CLONE_NEWUSER)).
  if (!f.euid_root && f.unshare_user) {
    f.euid_root = true;
    f.in_user_namespace = true;
    f.mknod_allowed = false;
    f.unshare_mount = f.unshare_pid = f.unshare_uts = f.unshare_ipc = f.unshare_net = true;
    f.mount_allowed = true;
  }
  bool mount_ns = f.unshare_mount && f.mount_allowed;
  {
    BackendAvailability a{Isolation::kChroot, false, ""};
    if (!f.euid_root) {
      a.detail = "needs root or a user namespace (" + DescribeDenied(host) + ")";
    } else if (!mount_ns && !f.in_user_namespace && f.unshare_user) {
      a.available = true;
      a.detail = "mount, PID, UTS, IPC namespaces inside a new user namespace (" + DescribeDenied(host) +
                 "); the container's /proc bind-mounted; pivot_root";
    } else if (mount_ns && f.unshare_pid) {
      a.available = true;
      a.detail = "mount, PID" + std::string(f.unshare_uts ? ", UTS" : "") + (f.unshare_ipc ? ", IPC" : "") +
                 " namespaces; pivot_root";
    } else {
      a.available = true;
      a.detail = "degraded: " + DescribeDenied(host) + " -> " + (mount_ns ? "no /proc" : "plain chroot") +
                 (f.mknod_allowed ? ", device nodes by mknod" : "");
    }
    out.push_back(a);
  }
  {
    BackendAvailability a{Isolation::kRootless, false, ""};
    bool userns = f.in_user_namespace || f.unshare_user;
    if (!userns) {
      a.detail = "cannot create a user namespace (" + DescribeDenied(host) + ")";
    } else if (!(mount_ns && f.unshare_pid && f.unshare_ipc && f.unshare_uts)) {
      a.detail = "needs mount, PID, IPC and UTS namespaces (" + DescribeDenied(host) + ")";
    } else {
      a.available = true;
      a.detail = f.in_user_namespace && !host_root ? "user namespace from /etc/subuid (newuidmap)"
                                                   : "own user namespace (identity map)";
    }
    out.push_back(a);
  }
  {
    BackendAvailability a{Isolation::kOci, false, ""};
    auto rt = ResolveOciRuntime(oci_runtime);
    if (!rt.ok()) {
      a.detail = rt.status().message();
    } else if (!f.euid_root) {
      a.detail = *rt + " found, but it needs root or a user namespace (" + DescribeDenied(host) + ")";
    } else if (!(mount_ns && f.unshare_pid)) {
      a.detail = *rt + " found, but namespaces are denied here (" + DescribeDenied(host) + ")";
    } else {
      a.available = true;
      a.detail = *rt + (host_root ? "" : " inside shale's user namespace (rootless cgroups: no limits)");
    }
    out.push_back(a);
  }
  return out;
}

}  // namespace shale::runtime
