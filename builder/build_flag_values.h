// Parsers for `shale build` flag values that carry a small language of their
// own (buildah's spelling). Pure functions: no I/O.
#ifndef SHALE_BUILDER_BUILD_FLAG_VALUES_H_
#define SHALE_BUILDER_BUILD_FLAG_VALUES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "builder/build_options.h"

namespace shale {

// --output: "type=local,dest=DIR", "type=tar,dest=FILE" (dest "-": stdout),
// or the shorthands "DIR" (local) and "-" (tar to stdout). InvalidArgument
// for another type, an unknown key or a missing dest.
Result<OutputSpec> ParseOutputFlag(const std::string& text);

// A Go time.Duration string ("10s", ".01s", "1h30m", "250ms", "0") in
// milliseconds, rounded down. InvalidArgument with Go's wording otherwise.
Result<int64_t> ParseGoDurationMs(const std::string& text);

// --build-context NAME=VALUE. InvalidArgument without '=' or with an empty
// name or value.
Result<NamedContextFlag> ParseBuildContextFlag(const std::string& text);

// --device HOST[:CONTAINER[:PERMISSIONS]]: host path, container path
// (defaults to the host path). Both must be absolute; PERMISSIONS is a
// non-empty subset of "rwm". InvalidArgument otherwise.
struct DeviceSpec {
  std::string host;
  std::string container;
  std::string permissions = "rwm";
};
Result<DeviceSpec> ParseDeviceFlag(const std::string& text);

// Capability names as buildah takes them ("CAP_SYS_PTRACE", "cap_sys_ptrace",
// "SYS_PTRACE", "ALL") to their numbers; "ALL" gives every capability up to
// CAP_LAST_CAP. InvalidArgument names an unknown capability.
Result<std::vector<int>> ParseCapabilities(const std::vector<std::string>& names);

}  // namespace shale

#endif  // SHALE_BUILDER_BUILD_FLAG_VALUES_H_
