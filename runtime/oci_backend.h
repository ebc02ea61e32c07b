// The oci backend: writes an OCI runtime bundle (config.json whose root is
// the step's rootfs) in a scratch directory and runs `RUNTIME run` (runc or
// crun, see ResolveOciRuntime) with the step's stdio. The runtime's own
// errors are read from its JSON log, so a failure to start is a Status, not
// an exit code. Limitations: the step is PID 1 of its PID namespace, the
// runtime reports a step killed by signal N as exit code 128+N, and it adds
// HOME=/root to an environment without HOME.
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
