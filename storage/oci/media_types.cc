#include "storage/oci/media_types.h"

#include <utility>

#include "base/descriptor.h"
#include "storage/oci/json.h"

namespace shale::oci {

namespace {

struct Pair {
  const char* oci;
  const char* docker;
};

constexpr Pair kPairs[] = {
    {media_type::kOciManifest, media_type::kDockerManifest},
    {media_type::kOciIndex, media_type::kDockerManifestList},
    {media_type::kOciConfig, media_type::kDockerConfig},
    {media_type::kOciLayer, kDockerLayer},
    {media_type::kOciLayerGzip, media_type::kDockerLayerGzip},
    {media_type::kOciLayerNondistGzip, media_type::kDockerForeignLayerGzip},
};

constexpr const char* kOtherOciLayers[] = {
    media_type::kOciLayerZstd,
    "application/vnd.oci.image.layer.nondistributable.v1.tar",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
};

}  // namespace

Result<ImageFormat> ParseImageFormat(std::string_view text) {
  if (text == "oci") return ImageFormat::kOci;
  if (text == "docker" || text == "v2s2") return ImageFormat::kDocker;
  return InvalidArgumentError("unknown image format \"" + std::string(text.substr(0, 100)) +
                              "\": want oci or docker");
}

std::string_view ImageFormatName(ImageFormat format) { return format == ImageFormat::kOci ? "oci" : "docker"; }

bool IsManifestMediaType(std::string_view mt) {
  return mt == media_type::kOciManifest || mt == media_type::kDockerManifest;
}
bool IsIndexMediaType(std::string_view mt) {
  return mt == media_type::kOciIndex || mt == media_type::kDockerManifestList;
}
bool IsConfigMediaType(std::string_view mt) { return mt == media_type::kOciConfig || mt == media_type::kDockerConfig; }
bool IsDockerMediaType(std::string_view mt) { return mt.starts_with("application/vnd.docker."); }

bool IsLayerMediaType(std::string_view mt) { return LayerCompressionOf(mt) != LayerCompression::kUnknown; }

LayerCompression LayerCompressionOf(std::string_view mt) {
  if (mt.starts_with("application/vnd.oci.image.layer.")) {
    if (mt.ends_with(".tar")) return LayerCompression::kNone;
    if (mt.ends_with(".tar+gzip")) return LayerCompression::kGzip;
    if (mt.ends_with(".tar+zstd")) return LayerCompression::kZstd;
    return LayerCompression::kUnknown;
  }
  if (mt == kDockerLayer) return LayerCompression::kNone;
  if (mt == media_type::kDockerLayerGzip || mt == media_type::kDockerForeignLayerGzip) return LayerCompression::kGzip;
  return LayerCompression::kUnknown;
}

Result<std::string> ConvertMediaType(std::string_view mt, ImageFormat target) {
  for (const Pair& p : kPairs) {
    if (mt == p.oci || mt == p.docker) return std::string(target == ImageFormat::kOci ? p.oci : p.docker);
  }
  if (target == ImageFormat::kOci) {
    if (IsDockerMediaType(mt))
      return FailedPreconditionError("media type " + std::string(mt) + " has no OCI equivalent");
    return std::string(mt);
  }
  if (IsDockerMediaType(mt)) return std::string(mt);
  for (const char* other : kOtherOciLayers) {
    if (mt == other)
      return FailedPreconditionError("media type " + std::string(mt) +
                                     " has no Docker equivalent (use --format oci or gzip layers)");
  }
  return FailedPreconditionError("media type " + std::string(mt.substr(0, 200)) + " has no Docker equivalent");
}

Result<std::string> DetectManifestMediaType(std::string_view bytes) {
  ASSIGN_OR_RETURN(nlohmann::json j, ParseJson(bytes, "manifest"));
  if (!j.is_object()) return InvalidArgumentError("manifest: not a JSON object");
  if (auto it = j.find("mediaType"); it != j.end() && it->is_string() && !it->get<std::string>().empty())
    return it->get<std::string>();
  if (auto it = j.find("schemaVersion"); it != j.end() && it->is_number_integer() && it->get<int64_t>() == 1)
    return std::string(j.contains("signatures") ? media_type::kDockerSchema1Signed : media_type::kDockerSchema1);
  if (j.contains("manifests")) return std::string(media_type::kOciIndex);
  if (j.contains("config") && j.contains("layers")) return std::string(media_type::kOciManifest);
  return InvalidArgumentError("manifest: cannot tell the document type (no mediaType, manifests or config/layers)");
}

}  // namespace shale::oci
