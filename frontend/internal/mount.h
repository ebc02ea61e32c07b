// RUN --mount=<csv> parsing (BuildKit's option names and defaults).
#ifndef SHALE_FRONTEND_INTERNAL_MOUNT_H_
#define SHALE_FRONTEND_INTERNAL_MOUNT_H_

#include <functional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "frontend/build_graph.h"

namespace shale::frontend::internal {

using WordExpander = std::function<Result<std::string>(std::string_view)>;

// Parses one --mount value; every option value goes through `expand`.
// `ssh_index` numbers ssh mounts for their default target. Errors are plain
// messages (InvalidArgument).
Result<Mount> ParseMount(std::string_view spec, const WordExpander& expand, int ssh_index);

}  // namespace shale::frontend::internal

#endif  // SHALE_FRONTEND_INTERNAL_MOUNT_H_
