// Media type classification and OCI <-> Docker (v2 schema 2) conversion.
//
// The constants live in base/descriptor.h (media_type::k…). Docker and OCI
// documents are structurally the same for what shale uses; converting an
// image between the formats only rewrites media types (and drops what Docker
// cannot express, see manifest.h ConvertManifest).
#ifndef SHALE_STORAGE_OCI_MEDIA_TYPES_H_
#define SHALE_STORAGE_OCI_MEDIA_TYPES_H_

#include <string>
#include <string_view>

#include "base/status.h"

namespace shale::oci {

// Docker's uncompressed layer type (accepted by docker, podman, registries).
inline constexpr char kDockerLayer[] = "application/vnd.docker.image.rootfs.diff.tar";

enum class ImageFormat { kOci, kDocker };

// "oci" | "docker" (also "v2s2") -> format. InvalidArgument otherwise.
Result<ImageFormat> ParseImageFormat(std::string_view text);
std::string_view ImageFormatName(ImageFormat format);

bool IsManifestMediaType(std::string_view mt);  // OCI manifest or Docker v2s2 manifest
bool IsIndexMediaType(std::string_view mt);     // OCI index or Docker manifest list
bool IsConfigMediaType(std::string_view mt);    // OCI or Docker image config
bool IsLayerMediaType(std::string_view mt);     // any OCI/Docker layer type, incl. nondistributable/foreign
bool IsDockerMediaType(std::string_view mt);    // application/vnd.docker.*

enum class LayerCompression { kNone, kGzip, kZstd, kUnknown };
// Compression a layer media type declares (kUnknown for non-layer types).
LayerCompression LayerCompressionOf(std::string_view mt);

// Media type of the same kind in the other format. Manifest, index/list,
// config, plain/gzip layers and foreign/nondistributable gzip layers map both
// ways; a type already in the target format is returned unchanged.
// FailedPrecondition when there is no equivalent (zstd layers in Docker,
// artifact types), naming the type.
Result<std::string> ConvertMediaType(std::string_view mt, ImageFormat target);

// Guesses the media type of a manifest-ish document whose Content-Type is
// missing or generic: its "mediaType" field when present, else "manifests" ->
// OCI index, "config"+"layers" -> OCI manifest, schemaVersion 1 -> Docker
// schema 1. InvalidArgument when none applies or the JSON is malformed.
Result<std::string> DetectManifestMediaType(std::string_view bytes);

}  // namespace shale::oci

#endif  // SHALE_STORAGE_OCI_MEDIA_TYPES_H_
