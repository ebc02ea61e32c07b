// The object `shale inspect --format` templates see: the podman-style image
// details (Id, Digest, RepoTags, Os, Architecture, Config, RootFS, History,
// Labels, Annotations, Layers, …) plus buildah's image view, so templates
// written for `buildah inspect` work unchanged:
//   FromImage, FromImageID, FromImageDigest, Type, Manifest (raw JSON text),
//   Docker   = the config in Docker form (ContainerConfig mirrors Config),
//   OCIv1    = the config in OCI form,
//   ImageAnnotations = the manifest's annotations.
// In Docker and OCIv1 every field of the Go structs buildah prints is present
// (empty slices, empty maps), so `{{.OCIv1.Config.Labels}}` prints `map[]`
// rather than `<no value>`, as buildah does.
#ifndef SHALE_BUILDER_CLI_INSPECT_VIEW_H_
#define SHALE_BUILDER_CLI_INSPECT_VIEW_H_

#include <string>

#include <nlohmann/json.hpp>

#include "builder/cli/go_template.h"
#include "builder/cli/image_lookup.h"

namespace shale::cli {

// `details` is the podman-style object; `name` what the user typed.
GoTemplateData InspectTemplateView(const nlohmann::json& details, const ImageSummary& s, const std::string& name);

}  // namespace shale::cli

#endif  // SHALE_BUILDER_CLI_INSPECT_VIEW_H_
