// The chroot and rootless backends: both plan with PlanNamespaces() and run
// the step through internal::ExecutePlan(); they differ in what they demand.
//   chroot:   root (real, or inside shale's user namespace). Uses mount, PID,
//             UTS, IPC namespaces when the kernel allows and degrades to a
//             plain chroot (announced once) when it does not.
//   rootless: needs a user namespace: shale's (non-root users, after
//             MaybeReexecInUserNamespace) or, for root, one of its own with an
//             identity map. Mount, PID, IPC and UTS namespaces are required.
#ifndef SHALE_RUNTIME_NAMESPACE_BACKEND_H_
#define SHALE_RUNTIME_NAMESPACE_BACKEND_H_

#include "runtime/isolation_backend.h"

namespace shale::runtime {

class NamespaceBackend : public IsolationBackend {
 public:
  explicit NamespaceBackend(Isolation kind) : kind_(kind) {}
  Isolation kind() const override { return kind_; }
  Result<ExitStatus> Run(const RunSpec& spec) override;

 private:
  Isolation kind_;
};

}  // namespace shale::runtime

#endif  // SHALE_RUNTIME_NAMESPACE_BACKEND_H_
