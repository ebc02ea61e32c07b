// ImageStore's private state, shared by image_store.cc, image_store_gc.cc and
// image_store_check.cc.
#ifndef SHALE_STORAGE_IMAGE_STORE_IMPL_H_
#define SHALE_STORAGE_IMAGE_STORE_IMPL_H_

#include <memory>
#include <utility>

#include "storage/blob_store.h"
#include "storage/image_store.h"
#include "storage/store_paths.h"

namespace shale {

struct ImageStore::Impl {
  explicit Impl(std::unique_ptr<BlobStore> b) : blobs(std::move(b)), paths(blobs->root()) {}

  // OK when d's blob is present with the right size and, for a manifest or
  // index, everything it references is too (recursively; an index's absent
  // children are allowed). FailedPrecondition naming what is missing.
  Status CheckComplete(const Descriptor& d, int depth) const;

  std::unique_ptr<BlobStore> blobs;
  StorePaths paths;
};

}  // namespace shale

#endif  // SHALE_STORAGE_IMAGE_STORE_IMPL_H_
