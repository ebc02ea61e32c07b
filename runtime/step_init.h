// The oci backend's step init (runtime/step_init/step_init_main.cc): a
// static executable embedded in this library. The oci backend writes it to
// the step's scratch directory and bind-mounts it read-only into the
// container, so the step runs as PID 2 and shale learns exactly how it
// ended (signal deaths included) from the init's report on fd 3.
#ifndef SHALE_RUNTIME_STEP_INIT_H_
#define SHALE_RUNTIME_STEP_INIT_H_

#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "runtime/run_spec.h"

namespace shale::runtime {

// Where the init is mounted inside the container: in the /dev tmpfs the
// runtime mounts, so the mount point never lands in the rootfs.
inline constexpr char kStepInitPath[] = "/dev/.shale-step-init";

// The init's bytes (a static ELF for this machine's architecture).
std::string_view StepInitBinary();

// Writes the init to `path` (mode 0555). Errors from the write.
Status WriteStepInit(const std::string& path);

// How the step ended according to the init's report ("exit N\n",
// "signal N\n", "exec E\n"). nullopt: no complete report (the init never
// ran, or was killed before the step ended). An "exec E" report becomes
// the Status of the failed exec: NotFound for ENOENT, else ErrnoToStatus(E).
std::optional<Result<ExitStatus>> ParseStepInitReport(std::string_view report, const std::string& command);

}  // namespace shale::runtime

#endif  // SHALE_RUNTIME_STEP_INIT_H_
