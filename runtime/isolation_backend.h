// IsolationBackend: runs one RUN step (a RunSpec) in isolation.
//
// Implementations: chroot, rootless (user namespace) and oci (runc/crun);
// tests may fake it. Pick one with SelectIsolation()/MakeBackend()
// (runtime/select.h).
//
// Rootfs contract (all backends): when Run() returns, success or failure,
// everything the backend created inside spec.rootfs to run the step (mount
// points, device nodes, /etc/resolv.conf|hosts|hostname when the image had
// none) has been removed again and the parent directories' atime/mtime
// restored; ExitStatus::touched_dirs names those parents. If the process is
// killed mid-step, the paths listed by ScratchPathCandidates() may remain.
#ifndef SHALE_RUNTIME_ISOLATION_BACKEND_H_
#define SHALE_RUNTIME_ISOLATION_BACKEND_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "runtime/run_spec.h"

namespace shale::runtime {

enum class Isolation { kChroot, kRootless, kOci };

std::string_view IsolationName(Isolation isolation);

class IsolationBackend {
 public:
  virtual ~IsolationBackend() = default;

  virtual Isolation kind() const = 0;

  // Runs the step to completion. OK: the step started, and the result says
  // how it ended (exit code or signal). Not OK: it could not be started —
  // InvalidArgument (bad spec), NotFound (args[0], cwd or rootfs missing),
  // PermissionDenied / FailedPrecondition (the isolation is not possible
  // here; the message says what was denied), Internal otherwise.
  // Thread-safe: several steps may run at once.
  virtual Result<ExitStatus> Run(const RunSpec& spec) = 0;
};

// Every rootfs path (absolute, rootfs-relative) the backends may create for
// `spec` and remove afterwards. Only a step interrupted by a crash of the
// calling process can leave any of them behind.
std::vector<std::string> ScratchPathCandidates(const RunSpec& spec);

}  // namespace shale::runtime

#endif  // SHALE_RUNTIME_ISOLATION_BACKEND_H_
