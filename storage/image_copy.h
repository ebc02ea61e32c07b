// Copying one image between stores: `build -t oci:DIR[:REF]` writes the built
// image into another OCI image layout (created when missing), as buildah's
// oci: transport does.
#ifndef SHALE_STORAGE_IMAGE_COPY_H_
#define SHALE_STORAGE_IMAGE_COPY_H_

#include <string>

#include "base/descriptor.h"
#include "base/status.h"
#include "storage/image_store.h"

namespace shale {

// Copies the image `manifest` (an image manifest, not an index) from `from`
// into `to`: config and layers first, the manifest last, then names it
// `name` there (an empty name: an unnamed index entry). Blobs `to` already
// has are skipped; every copied blob is checked against its digest and size
// while it is written (DataLoss otherwise, nothing partial visible).
// Errors: NotFound when a blob is missing from `from`, InvalidArgument for
// an index, what the stores report.
Status CopyImage(const ImageStore& from, const Descriptor& manifest, ImageStore& to, const std::string& name);

// "DIR" or "DIR:REF" of an "oci:DIR[:REF]" destination (the text after
// "oci:"); split at the first ':' as containers/image does. InvalidArgument
// when DIR is empty.
struct OciLayoutTarget {
  std::string dir;
  std::string ref;  // may be empty
};
Result<OciLayoutTarget> ParseOciLayoutTarget(const std::string& text);

}  // namespace shale

#endif  // SHALE_STORAGE_IMAGE_COPY_H_
