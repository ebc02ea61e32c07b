// --output: the final stage's root filesystem, every layer applied, written
// to a directory (type=local) or as one uncompressed tar (type=tar; dest "-"
// is stdout). Runs after the image is committed; the image and its tags are
// unaffected.
#ifndef SHALE_BUILDER_OUTPUT_EXPORT_H_
#define SHALE_BUILDER_OUTPUT_EXPORT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/descriptor.h"
#include "base/status.h"
#include "builder/build_options.h"
#include "storage/blob_store.h"

namespace shale {

// Applies `layers` (in order) from `blobs` into spec.dest (created if
// missing; existing content stays unless a layer replaces it), or into a
// scratch directory under <store_root>/shale/tmp (NewScratchDir) that is
// then written as a tar to spec.dest and removed. Layer entries are contained as storage/layer_apply.h
// says. `epoch` clamps tar mtimes. On failure a partial directory or file may
// remain at dest.
// `diff_ids` (parallel to `layers`, from the image config) are checked while
// each layer is applied (SECURITY.md §3): a mismatch fails with DataLoss.
Status ExportRootfs(const BlobStore& blobs, const std::vector<Descriptor>& layers,
                    const std::vector<Digest>& diff_ids, const OutputSpec& spec,
                    const std::string& store_root, std::optional<int64_t> epoch);

}  // namespace shale

#endif  // SHALE_BUILDER_OUTPUT_EXPORT_H_
