// Containerfile -> BuildGraph.
//
// Scoping, as Docker/BuildKit define it:
//  * ARGs before the first FROM are global: usable in FROM lines (image and
//    --platform) and nowhere else until a stage re-declares them (`ARG NAME`
//    without a value takes the global value).
//  * A stage ARG's value is --build-arg if given, else its default (expanded
//    in the stage), else the global value; a declared ARG without any value
//    is unset. ARGs end with their stage and are never stored in the image.
//  * ENV always wins over an ARG of the same name. ENV and ARG values on one
//    line are all expanded with the variables as they were before the line.
//  * Predefined ARGs: TARGETPLATFORM/OS/ARCH/VARIANT and BUILDPLATFORM/OS/
//    ARCH/VARIANT are global (usable in FROM; in a stage after `ARG NAME`).
//    Proxy args (HTTP_PROXY, ...) given with --build-arg reach every RUN
//    without a declaration and never appear in history.
//  * `--build-arg NAME` without a value takes NAME from `environment`
//    (ignored when absent there). Build args no ARG consumed produce a
//    warning in BuildGraph::warnings.
//  * FROM <name> refers to an earlier stage; COPY --from and RUN --mount
//    from= take a stage name, a stage index, or else an image reference.
//  * --target picks the stage (default: the last); stages it does not need
//    are pruned and never appear in the graph. Dependency cycles are errors.
//
// Base images: when `resolve_image` is set, it is asked (for needed stages
// only) for the base image's ENV, SHELL and ONBUILD triggers; the env joins
// expansion, and the triggers are parsed and compiled as the stage's first
// steps (Step::from_onbuild). Without it, image bases contribute nothing.
// COPY --from / mount from= are resolved with the Containerfile's variables
// only (not the base image's ENV).
//
// Errors are located (source.h): parse errors, unknown instructions/flags,
// expansion errors, unknown --target, cycles, bad stage references.
#ifndef SHALE_FRONTEND_STAGE_COMPILER_H_
#define SHALE_FRONTEND_STAGE_COMPILER_H_

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/platform.h"
#include "base/status.h"
#include "frontend/ast.h"
#include "frontend/build_graph.h"

namespace shale::frontend {

struct BaseImageInfo {
  std::vector<KeyValue> env;          // the image config's Env
  std::vector<std::string> shell;     // the image config's Shell; empty = /bin/sh -c
  std::vector<std::string> onbuild;   // the image config's OnBuild triggers
};
// Called with the expanded image reference and FROM --platform (may be empty).
using ImageResolver = std::function<Result<BaseImageInfo>(const std::string& image, const std::string& platform)>;

struct BuildArg {
  std::string name;
  std::optional<std::string> value;  // nullopt: `--build-arg NAME`
};
// "NAME=value" -> {NAME, value}; "NAME" -> {NAME, nullopt}.
BuildArg ParseBuildArgFlag(std::string_view flag);

struct CompileOptions {
  std::string file = "Containerfile";  // names the file in errors
  std::vector<BuildArg> build_args;
  std::map<std::string, std::string> environment;  // for `--build-arg NAME`
  std::string target;                              // stage name; empty = last stage
  Platform target_platform{"linux", "amd64", "", "", {}};
  Platform build_platform{"linux", "amd64", "", "", {}};
  ImageResolver resolve_image;  // optional
  // Names of --build-context entries (lowercase). A FROM, COPY --from or
  // mount from= naming one — or naming, by name or index, a stage whose name
  // is one — refers to the context, not the stage: `from` becomes the
  // context's name, from_stage stays -1, and the stage is pruned unless
  // something else needs it.
  std::set<std::string> named_contexts;
};

// Parses and compiles. On success the graph passes VerifyGraph.
Result<BuildGraph> CompileContainerfile(std::string_view text, const CompileOptions& options);
Result<BuildGraph> CompileAst(const Ast& ast, std::string_view text, const CompileOptions& options);

}  // namespace shale::frontend

#endif  // SHALE_FRONTEND_STAGE_COMPILER_H_
