// The last act of a build: the target stage's state becomes an image —
// config and manifest blobs in OCI or Docker form — and the tags are written
// (all at once, after every blob is durable), then --iidfile. The config
// gets the identity label (BuildOptions::identity_label) and, FROM an image,
// the manifest gets the base-image annotations — unless the target stage is
// only that FROM with nothing else asked (buildah reuses the base as is).
#ifndef SHALE_BUILDER_IMAGE_COMMIT_H_
#define SHALE_BUILDER_IMAGE_COMMIT_H_

#include "base/status.h"
#include "builder/build_state.h"
#include "builder/executor.h"

namespace shale::internal {

// Manifest annotations of an image built FROM another image (OCI
// image-spec annotations.md): the base's name and manifest digest.
inline constexpr char kBaseNameAnnotation[] = "org.opencontainers.image.base.name";
inline constexpr char kBaseDigestAnnotation[] = "org.opencontainers.image.base.digest";

Result<BuildOutcome> CommitImage(BuildContext& ctx, StageState& state);

// --save-stages: `state` (a finished intermediate stage) becomes an untagged
// image with the identity label and base annotations (no --label,
// --annotation, tags or --iidfile). Returns its image id (config digest).
Result<Digest> CommitStageImage(BuildContext& ctx, StageState& state);

}  // namespace shale::internal

#endif  // SHALE_BUILDER_IMAGE_COMMIT_H_
