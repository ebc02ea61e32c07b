// BaseImages: FROM and COPY --from images, found in the local store or pulled
// per --pull, resolved to one platform's manifest, config and layers.
// Memoised per build: each reference is resolved once.
#ifndef SHALE_BUILDER_BASE_IMAGE_H_
#define SHALE_BUILDER_BASE_IMAGE_H_

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "base/descriptor.h"
#include "base/platform.h"
#include "base/status.h"
#include "builder/build_options.h"
#include "storage/image_store.h"
#include "storage/oci/image_config.h"
#include "storage/oci/manifest.h"

namespace shale {

struct ResolvedImage {
  std::string name;           // the name it was found under (store or registry)
  Descriptor manifest_desc;   // the platform manifest
  Digest config_digest;       // image id
  oci::ImageConfig config;
  std::vector<Descriptor> layers;  // parallel to config.rootfs.diff_ids
};

class BaseImages {
 public:
  BaseImages(ImageStore* store, const BuildOptions* options, Platform platform);

  // Local store first (unless --pull=always), else pull (unless --pull=never).
  // A --build-context name (see SetNamedContexts) resolves to its image; a
  // directory context's name is InvalidArgument.
  Result<ResolvedImage> Resolve(const std::string& reference);

  // --build-context: `aliases` maps a lowercase context name to an image
  // reference; `directories` are the directory contexts' names.
  void SetNamedContexts(std::map<std::string, std::string> aliases, std::set<std::string> directories);

 private:
  Result<ResolvedImage> LoadLocal(const ImageRecord& record);

  ImageStore* store_;
  const BuildOptions* options_;
  Platform platform_;
  std::mutex mu_;
  std::map<std::string, ResolvedImage> cache_;
  std::map<std::string, std::string> aliases_;
  std::set<std::string> directories_;
};

// Loads an image record (manifest or index) from the store for `platform`.
Result<ResolvedImage> LoadImage(ImageStore& store, const ImageRecord& record, const Platform& platform);

}  // namespace shale

#endif  // SHALE_BUILDER_BASE_IMAGE_H_
