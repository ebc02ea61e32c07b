// What build-wide flags add to every RUN step's RunSpec.
#ifndef SHALE_BUILDER_RUN_FLAGS_H_
#define SHALE_BUILDER_RUN_FLAGS_H_

#include <cstdint>

#include "base/status.h"
#include "builder/build_options.h"
#include "runtime/run_spec.h"

namespace shale {

// --device HOST[:CONTAINER[:PERMS]]: a bind mount of the host node (or
// directory of nodes) at CONTAINER, read-only when PERMS has no 'w'. The
// mount point is created for the step and removed after it, so it never
// reaches a layer. NotFound when the host path does not exist.
//
// --cap-add/--cap-drop: spec.capabilities = RunCapabilities(options).
// --dns, --dns-search, --dns-option, --add-host: the spec's resolv.conf and
// /etc/hosts additions.
Status ApplyRunFlags(const BuildOptions& options, runtime::RunSpec& spec);

// RUN steps' capability set, as buildah makes it: the default set
// (runtime::kDefaultCapabilities) plus --cap-add, minus --cap-drop (a
// capability in both is dropped; "ALL" expands to every capability, so
// --cap-drop ALL leaves none whatever is added).
uint64_t RunCapabilities(const BuildOptions& options);

}  // namespace shale

#endif  // SHALE_BUILDER_RUN_FLAGS_H_
