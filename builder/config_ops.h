// How metadata instructions change an image config, and how every step is
// recorded in its history. Pure functions over oci::ImageConfig: no I/O.
//
// History follows buildah (which follows the classic Docker builder), since
// that is what `buildah inspect` users and tests read:
//   RUN:        "/bin/sh -c go build"   ("|2 A=1 B=2 /bin/sh -c …" with ARGs)
//   metadata:   "/bin/sh -c #(nop) ENV A=b"
//   COPY/ADD:   "/bin/sh -c #(nop) COPY <sources> <dest>" (heredoc bodies not shown)
#ifndef SHALE_BUILDER_CONFIG_OPS_H_
#define SHALE_BUILDER_CONFIG_OPS_H_

#include <string>

#include "base/status.h"
#include "frontend/build_graph.h"
#include "storage/oci/image_config.h"

namespace shale {

// Per-stage facts metadata steps need beyond the config itself.
struct StageConfigState {
  bool cmd_set_in_stage = false;  // ENTRYPOINT clears an inherited CMD only
};

// Applies a metadata step (ENV, LABEL, EXPOSE, USER, WORKDIR, VOLUME,
// STOPSIGNAL, CMD, ENTRYPOINT, SHELL, HEALTHCHECK, ONBUILD, MAINTAINER, ARG)
// to config->config. RUN/COPY/ADD are not metadata: InvalidArgument.
Status ApplyMetadataStep(const frontend::BuildGraph& graph, int step, oci::ImageConfig* config,
                         StageConfigState* state);

// True for steps that never change the filesystem. WORKDIR and VOLUME are
// metadata but may also create their directories (dir_steps.h), so they are
// not "only" metadata.
bool IsMetadataOnly(frontend::StepKind kind);

// The `created_by` text of a step (see the file comment). Never contains
// secret values: proxy args and secret mounts are left out.
std::string HistoryCreatedBy(const frontend::BuildGraph& graph, int step);

// The effective working directory after a WORKDIR `path` given the current one.
std::string ResolveWorkdir(const std::string& current, const std::string& path);

// Canonical port spec: "80" -> "80/tcp", "53/UDP" -> "53/udp". Ranges
// "8000-8002" expand to each port. InvalidArgument for garbage.
Result<std::vector<std::string>> ExpandPortSpec(const std::string& spec);

}  // namespace shale

#endif  // SHALE_BUILDER_CONFIG_OPS_H_
