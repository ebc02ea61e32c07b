#include "tests/storage/store_test_util.h"

#include "storage/oci/image_config.h"
#include "storage/oci/manifest.h"

namespace shale::testing {

Result<Descriptor> WriteTestImage(BlobStore& blobs, const std::string& seed, int layers, size_t layer_size) {
  oci::ImageConfig config;
  config.architecture = "amd64";
  config.os = "linux";
  config.created = "2024-01-01T00:00:00Z";
  oci::Manifest manifest;
  for (int i = 0; i < layers; ++i) {
    std::string data;
    data.reserve(layer_size);
    std::string unit = seed + "/" + std::to_string(i) + ";";
    while (data.size() < layer_size) data += unit;
    data.resize(layer_size);
    ASSIGN_OR_RETURN(Descriptor layer, blobs.PutBlob(data, media_type::kOciLayer));
    manifest.layers.push_back(layer);
    config.rootfs.diff_ids.push_back(layer.digest);
  }
  config.config = oci::ContainerConfig{};
  config.config->labels["seed"] = seed;
  ASSIGN_OR_RETURN(manifest.config, blobs.PutBlob(oci::SerializeImageConfig(config), media_type::kOciConfig));
  return blobs.PutBlob(oci::SerializeManifest(manifest), media_type::kOciManifest);
}

}  // namespace shale::testing
