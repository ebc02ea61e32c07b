// Carries out a NamespacePlan: clone() into the planned namespaces, set up
// mounts, pivot_root or chroot, then fork the step's process and exec it.
//
// Processes: the calling thread clones a "monitor" (PID 1 of the new PID
// namespace when there is one). The monitor sets up the filesystem, forks
// the step's main process (so the step is never PID 1, and signals it sends
// itself work), reaps orphans, and reports the main process's wait status.
// Neither the monitor nor the step process allocates or throws before exec:
// everything they need is prepared as C strings first. Failures travel back
// as {errno, message} records over an O_CLOEXEC pipe; a successful exec
// closes the step's end of it.
#ifndef SHALE_RUNTIME_INTERNAL_CHILD_EXEC_H_
#define SHALE_RUNTIME_INTERNAL_CHILD_EXEC_H_

#include "base/status.h"
#include "runtime/namespace_plan.h"
#include "runtime/run_spec.h"

namespace shale::runtime::internal {

// Runs the step and waits for it. The rootfs preparation (plan.prepare) is
// the caller's job. Errors: the first setup failure the child reported,
// annotated with what it was doing (errno mapped by ErrnoToStatus).
Result<ExitStatus> ExecutePlan(const RunSpec& spec, const NamespacePlan& plan);

}  // namespace shale::runtime::internal

#endif  // SHALE_RUNTIME_INTERNAL_CHILD_EXEC_H_
