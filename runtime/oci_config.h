// The OCI runtime bundle config.json for one step (runtime-spec 1.0.2), and
// the containers.conf lookup of which OCI runtime to use.
#ifndef SHALE_RUNTIME_OCI_CONFIG_H_
#define SHALE_RUNTIME_OCI_CONFIG_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "runtime/namespace_plan.h"
#include "runtime/run_spec.h"

namespace shale::runtime {

// config.json text. `in_user_namespace`: the runtime will run inside
// shale's user namespace, so /sys is bind-mounted instead of mounted.
// `step_init`: when not empty, the host path of the step init
// (runtime/step_init.h), bind-mounted read-only at kStepInitPath and run as
// the container's process with the step's args after it.
// InvalidArgument for an rlimit the spec cannot name.
Result<std::string> MakeOciConfig(const RunSpec& spec, const EtcFileSources& etc, bool in_user_namespace,
                                  const std::string& step_init = "");

// The mount points config.json needs, for RootfsPreparation: OCI runtimes
// create missing ones themselves, and those would stay in the layer.
std::vector<PrepOp> OciPrepOps(const RunSpec& spec, const EtcFileSources& etc);

// "RLIMIT_NOFILE" for RLIMIT_NOFILE; empty when unknown.
std::string RlimitName(int resource);

// The `runtime = "..."` of the [engine] table of a containers.conf text.
std::optional<std::string> ParseContainersConfRuntime(std::string_view text);

// containers.conf files in increasing priority: $CONTAINERS_CONF alone when
// set; else /usr/share/containers/containers.conf,
// /etc/containers/containers.conf, then
// ${XDG_CONFIG_HOME:-~/.config}/containers/containers.conf.
std::vector<std::string> ContainersConfPaths();

// The runtime to use: `flag` if given, else containers.conf, else "runc"
// when found on PATH, else "crun". Returns an executable path; NotFound
// when it cannot be found.
Result<std::string> ResolveOciRuntime(const std::string& flag);

}  // namespace shale::runtime

#endif  // SHALE_RUNTIME_OCI_CONFIG_H_
