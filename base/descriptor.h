// Descriptor: a typed pointer to content (OCI image spec "descriptor").
// JSON encoding lives in storage/ (base has no JSON dependency).
#ifndef SHALE_BASE_DESCRIPTOR_H_
#define SHALE_BASE_DESCRIPTOR_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/digest.h"
#include "base/platform.h"

namespace shale {

namespace media_type {
inline constexpr char kOciIndex[] = "application/vnd.oci.image.index.v1+json";
inline constexpr char kOciManifest[] = "application/vnd.oci.image.manifest.v1+json";
inline constexpr char kOciConfig[] = "application/vnd.oci.image.config.v1+json";
inline constexpr char kOciLayer[] = "application/vnd.oci.image.layer.v1.tar";
inline constexpr char kOciLayerGzip[] = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr char kOciLayerZstd[] = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr char kOciLayerNondistGzip[] =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
inline constexpr char kOciEmpty[] = "application/vnd.oci.empty.v1+json";
inline constexpr char kDockerManifest[] = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr char kDockerManifestList[] =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr char kDockerConfig[] = "application/vnd.docker.container.image.v1+json";
inline constexpr char kDockerLayerGzip[] = "application/vnd.docker.image.rootfs.diff.tar.gzip";
inline constexpr char kDockerForeignLayerGzip[] =
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
inline constexpr char kDockerSchema1Signed[] =
    "application/vnd.docker.distribution.manifest.v1+prettyjws";
inline constexpr char kDockerSchema1[] = "application/vnd.docker.distribution.manifest.v1+json";
}  // namespace media_type

// The OCI annotation that names an image inside an OCI layout's index.json.
inline constexpr char kRefNameAnnotation[] = "org.opencontainers.image.ref.name";

struct Descriptor {
  std::string media_type;
  Digest digest;
  int64_t size = 0;
  std::vector<std::string> urls;
  std::map<std::string, std::string> annotations;
  std::optional<Platform> platform;
  std::string artifact_type;
  std::string data;  // base64 embedded data, kept verbatim

  friend bool operator==(const Descriptor&, const Descriptor&) = default;
};

}  // namespace shale

#endif  // SHALE_BASE_DESCRIPTOR_H_
