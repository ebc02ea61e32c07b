#include "storage/oci/manifest.h"

#include <utility>

#include "storage/oci/descriptor_json.h"
#include "storage/oci/internal/object_reader.h"
#include "storage/oci/json.h"

namespace shale::oci {

using nlohmann::json;

namespace {

Result<Descriptor> ReadDescriptor(const json& value, const std::string& path) {
  auto d = DescriptorFromJson(value);
  if (!d.ok()) return d.status().Annotate(path);
  return d;
}

Result<Manifest> ManifestFromJson(const json& j) {
  internal::ObjectReader r(j, "");
  RETURN_IF_ERROR(r.CheckObject());
  Manifest m;
  int64_t version = 0;
  RETURN_IF_ERROR(r.Int("schemaVersion", &version, true));
  RETURN_IF_ERROR(r.String("mediaType", &m.media_type));
  if (!m.media_type.empty()) {
    if (!IsValidMediaType(m.media_type))
      return InvalidArgumentError("mediaType: invalid media type \"" + m.media_type.substr(0, 300) + "\"");
    if (IsIndexMediaType(m.media_type))
      return InvalidArgumentError("document is an image index (" + m.media_type + "), not a manifest");
    if (!IsManifestMediaType(m.media_type))
      return UnimplementedError("unsupported manifest media type \"" + m.media_type.substr(0, 300) + "\"");
  }
  if (version == 1) return UnimplementedError("Docker schema 1 manifests are not supported");
  if (version != 2) return InvalidArgumentError("schemaVersion: must be 2, got " + std::to_string(version));
  m.schema_version = 2;
  RETURN_IF_ERROR(r.String("artifactType", &m.artifact_type));
  if (!m.artifact_type.empty() && !IsValidMediaType(m.artifact_type))
    return InvalidArgumentError("artifactType: invalid media type \"" + m.artifact_type.substr(0, 300) + "\"");
  const json* config = r.Raw("config");
  if (!config) return InvalidArgumentError("config: required field missing");
  ASSIGN_OR_RETURN(m.config, ReadDescriptor(*config, "config"));
  const json* layers = r.Raw("layers");
  if (!layers) return InvalidArgumentError("layers: required field missing");
  if (!layers->is_array()) return InvalidArgumentError("layers: must be an array");
  for (size_t i = 0; i < layers->size(); ++i) {
    ASSIGN_OR_RETURN(Descriptor d, ReadDescriptor((*layers)[i], "layers[" + std::to_string(i) + "]"));
    m.layers.push_back(std::move(d));
  }
  if (const json* subject = r.Raw("subject")) {
    ASSIGN_OR_RETURN(Descriptor d, ReadDescriptor(*subject, "subject"));
    m.subject = std::move(d);
  }
  RETURN_IF_ERROR(r.StringMap("annotations", &m.annotations));
  m.extra = r.Extra();
  return m;
}

}  // namespace

Result<Manifest> ParseManifest(std::string_view bytes) {
  ASSIGN_OR_RETURN(json j, ParseJson(bytes, "manifest"));
  auto m = ManifestFromJson(j);
  if (!m.ok()) return m.status().Annotate("manifest");
  return m;
}

json ManifestToJson(const Manifest& m) {
  json j = json::object();
  j["schemaVersion"] = m.schema_version;
  if (!m.media_type.empty()) j["mediaType"] = m.media_type;
  if (!m.artifact_type.empty()) j["artifactType"] = m.artifact_type;
  j["config"] = DescriptorToJson(m.config);
  json layers = json::array();
  for (const Descriptor& d : m.layers) layers.push_back(DescriptorToJson(d));
  j["layers"] = std::move(layers);
  if (m.subject) j["subject"] = DescriptorToJson(*m.subject);
  if (!m.annotations.empty()) j["annotations"] = m.annotations;
  internal::MergeExtra(m.extra, &j);
  return j;
}

Status CheckManifestSchema(const Manifest& manifest) {
  if (manifest.layers.empty() && manifest.media_type != media_type::kDockerManifest)
    return InvalidArgumentError("manifest: layers: the OCI image-spec schema requires at least one layer (minItems 1)");
  return Status::Ok();
}

Result<Manifest> ParseManifestStrict(std::string_view bytes) {
  ASSIGN_OR_RETURN(Manifest m, ParseManifest(bytes));
  RETURN_IF_ERROR(CheckManifestSchema(m));
  return m;
}

std::string SerializeManifest(const Manifest& manifest) { return CanonicalJson(ManifestToJson(manifest)); }

Result<Manifest> ConvertManifest(const Manifest& manifest, ImageFormat target) {
  Manifest out = manifest;
  ASSIGN_OR_RETURN(out.media_type,
                   ConvertMediaType(manifest.media_type.empty() ? media_type::kOciManifest : manifest.media_type, target));
  ASSIGN_OR_RETURN(out.config.media_type, ConvertMediaType(manifest.config.media_type, target));
  for (Descriptor& layer : out.layers) {
    auto mt = ConvertMediaType(layer.media_type, target);
    if (!mt.ok()) return mt.status().Annotate("layer " + layer.digest.ToString());
    layer.media_type = std::move(mt).value();
  }
  if (target == ImageFormat::kDocker) {
    out.annotations.clear();
    out.artifact_type.clear();
    out.subject.reset();
    for (Descriptor& layer : out.layers) layer.annotations.clear();
    out.config.annotations.clear();
  }
  return out;
}

}  // namespace shale::oci
