// Named build contexts (--build-context NAME=VALUE), opened for one build.
//
// VALUE is, as buildah reads it: docker-image://IMAGE or docker://IMAGE (an
// image, resolved like a FROM: local store first, then per --pull), an
// http(s)/git URL (refused: Unimplemented), or else a local directory
// (relative to the current directory). A directory context is read like the
// main context: sources resolved inside it, its own .containerignore or
// .dockerignore applied, content hashed into the cache key.
#ifndef SHALE_BUILDER_NAMED_CONTEXT_H_
#define SHALE_BUILDER_NAMED_CONTEXT_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/fd.h"
#include "base/status.h"
#include "builder/build_options.h"
#include "frontend/ignore.h"

namespace shale {

struct NamedContext {
  enum class Kind { kDirectory, kImage };
  std::string name;  // lowercase
  Kind kind = Kind::kDirectory;
  std::string dir;   // kDirectory: absolute, normalised
  UniqueFd fd;       // kDirectory: the directory
  std::optional<frontend::IgnoreMatcher> ignore;  // kDirectory: its ignore file, if any
  std::string image;  // kImage: the reference
};

// Opens every flag's context. Errors name the flag: InvalidArgument for a
// duplicate name or an empty image, Unimplemented for URLs, errno-derived
// codes ("stat DIR: no such file or directory") for a directory.
Result<std::map<std::string, NamedContext>> OpenNamedContexts(const std::vector<NamedContextFlag>& flags);

}  // namespace shale

#endif  // SHALE_BUILDER_NAMED_CONTEXT_H_
