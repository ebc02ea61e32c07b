// The last act of a build: the target stage's state becomes an image —
// config and manifest blobs in OCI or Docker form — and the tags are written
// (all at once, after every blob is durable), then --iidfile.
#ifndef SHALE_BUILDER_IMAGE_COMMIT_H_
#define SHALE_BUILDER_IMAGE_COMMIT_H_

#include "base/status.h"
#include "builder/build_state.h"
#include "builder/executor.h"

namespace shale::internal {

Result<BuildOutcome> CommitImage(BuildContext& ctx, StageState& state);

}  // namespace shale::internal

#endif  // SHALE_BUILDER_IMAGE_COMMIT_H_
