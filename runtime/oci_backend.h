// The oci backend: writes an OCI runtime bundle (config.json whose root is
// the step's rootfs) in a scratch directory and runs `RUNTIME run` (runc or
// crun, see ResolveOciRuntime) with the step's stdio. The runtime's own
// errors are read from its JSON log, so a failure to start is a Status, not
// an exit code. The container's process is shale's step init
// (runtime/step_init.h), which runs the step as PID 2 and reports over a
// pipe (runtime --preserve-fds) how it ended, so a step killed by a signal
// is reported as that signal, not as the runtime's 128+N.
// As root the runtime runs on the host; as an ordinary user it runs inside
// shale's user namespace (euid 0 there, as buildah does rootless), where
// runc/crun use no cgroups. Limitation: the runtime adds HOME=/root to an
// environment without HOME.
#ifndef SHALE_RUNTIME_OCI_BACKEND_H_
#define SHALE_RUNTIME_OCI_BACKEND_H_

#include <memory>
#include <string>

#include "runtime/isolation_backend.h"

namespace shale::runtime {

class OciBackend : public IsolationBackend {
 public:
  // `runtime`: --runtime (name or path); empty: containers.conf, then runc,
  // then crun. NotFound when no runtime exists.
  static Result<std::unique_ptr<OciBackend>> Create(const std::string& runtime);

  Isolation kind() const override { return Isolation::kOci; }
  Result<ExitStatus> Run(const RunSpec& spec) override;
  const std::string& runtime_path() const { return runtime_; }

 private:
  explicit OciBackend(std::string runtime) : runtime_(std::move(runtime)) {}
  std::string runtime_;
};

}  // namespace shale::runtime

#endif  // SHALE_RUNTIME_OCI_BACKEND_H_
