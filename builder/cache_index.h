// BuildCache: maps a step's cache key to the image state after that step.
//
// On disk, one small file per key, so a lookup is one read, never a scan:
//
//   <root>/shale/build-cache/v1/<key hex[0:2]>/<key hex>
//     {"v":1,"config":<image config JSON after the step>,
//      "layers":[<layer descriptor>…],"created_by":"…"}
//
// Written atomically (temp → fsync → rename). A format change bumps "v1" in
// the path, so old entries are simply never read. An entry whose layers are
// no longer in the blob store (pruned) is a miss, not an error; a corrupt
// entry is a miss with a warning and is overwritten by the next build.
#ifndef SHALE_BUILDER_CACHE_INDEX_H_
#define SHALE_BUILDER_CACHE_INDEX_H_

#include <optional>
#include <string>
#include <vector>

#include "base/descriptor.h"
#include "base/digest.h"
#include "base/status.h"
#include "storage/blob_store.h"
#include "storage/oci/image_config.h"

namespace shale {

struct CachedState {
  oci::ImageConfig config;         // rootfs.diff_ids and history included
  std::vector<Descriptor> layers;  // parallel to config.rootfs.diff_ids
};

class BuildCache {
 public:
  BuildCache(std::string store_root, const BlobStore* blobs);

  // The state stored for key, when present and every layer blob exists.
  std::optional<CachedState> Lookup(const Digest& key) const;
  Status Store(const Digest& key, const CachedState& state);
  // How long ago (milliseconds, by its file's mtime) the entry for key was
  // stored; nullopt when there is none.
  std::optional<int64_t> AgeMs(const Digest& key) const;

 private:
  std::string PathFor(const Digest& key) const;

  std::string dir_;
  const BlobStore* blobs_;
};

}  // namespace shale

#endif  // SHALE_BUILDER_CACHE_INDEX_H_
