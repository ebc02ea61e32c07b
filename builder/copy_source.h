// What a COPY/ADD step reads from: its source root (the build context, a
// --build-context directory, a stage, an image, or the step's URL downloads)
// with its ignore/exclude matchers, and the checks made before anything is
// copied (URL sources, ADD --checksum, --chown lookups).
#ifndef SHALE_BUILDER_COPY_SOURCE_H_
#define SHALE_BUILDER_COPY_SOURCE_H_

#include <optional>
#include <string>
#include <vector>

#include "base/fd.h"
#include "base/status.h"
#include "builder/build_state.h"
#include "builder/copy_step.h"
#include "frontend/ignore.h"
#include "frontend/build_graph.h"
#include "runtime/user_lookup.h"

namespace shale::internal {

// Where a COPY/ADD step reads from, opened once for both its cache key
// (StepInputs) and its execution (ExecuteCopy). `url_dir` holds the step's
// downloads when its sources are URLs. `from_key` identifies a non-context
// source for the key: a stage's key, an image's manifest digest, or
// "context:NAME" for a --build-context directory (whose content is hashed).
struct CopySource {
  CopySourceRoot root;
  UniqueFd from_fd;
  std::vector<std::string> sources;
  std::optional<frontend::IgnoreMatcher> exclude;
  std::string from_key;
};

// Opens the source root of COPY/ADD step `s` into `out` (sources, exclude
// matcher, from_key). `from_urls`: the sources are the URL downloads in
// `url_dir` (from CheckUrlSources). Errors: the --from stage/image cannot be
// had, a directory cannot be opened, a bad --exclude pattern.
Status OpenCopySource(BuildContext& ctx, const frontend::Step& s, bool from_urls, const std::string& url_dir,
                      CopySource& out);

// True when the step's sources are http(s) URLs (ADD only). InvalidArgument
// for COPY of a URL or ADD --from with a URL; Unimplemented for git sources
// and for URLs mixed with local files.
Result<bool> CheckUrlSources(const frontend::Step& s);

// ADD --checksum for a local source: exactly one regular file whose content
// has that digest (DataLoss naming both digests otherwise; only sha256).
Status VerifyChecksum(const CopySourceRoot& root, const std::vector<CopySourceItem>& items,
                      const frontend::CopyOp& op);

// COPY/ADD --chown resolved through the destination's /etc/passwd and
// /etc/group, failing with buildah's wording ("looking up UID/GID for ...").
Result<runtime::UserIds> ChownIds(const std::string& rootfs, const std::string& chown);

}  // namespace shale::internal

#endif  // SHALE_BUILDER_COPY_SOURCE_H_
