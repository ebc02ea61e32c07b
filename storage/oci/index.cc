#include "storage/oci/index.h"

#include <utility>

#include "storage/oci/descriptor_json.h"
#include "storage/oci/internal/object_reader.h"
#include "storage/oci/json.h"

namespace shale::oci {

using nlohmann::json;

namespace {

Result<Index> IndexFromJson(const json& j) {
  internal::ObjectReader r(j, "");
  RETURN_IF_ERROR(r.CheckObject());
  Index index;
  int64_t version = 0;
  RETURN_IF_ERROR(r.Int("schemaVersion", &version, true));
  if (version != 2) return InvalidArgumentError("schemaVersion: must be 2, got " + std::to_string(version));
  RETURN_IF_ERROR(r.String("mediaType", &index.media_type));
  if (!index.media_type.empty()) {
    if (!IsValidMediaType(index.media_type))
      return InvalidArgumentError("mediaType: invalid media type \"" + index.media_type.substr(0, 300) + "\"");
    if (IsManifestMediaType(index.media_type))
      return InvalidArgumentError("document is an image manifest (" + index.media_type + "), not an index");
    if (!IsIndexMediaType(index.media_type))
      return UnimplementedError("unsupported index media type \"" + index.media_type.substr(0, 300) + "\"");
  }
  RETURN_IF_ERROR(r.String("artifactType", &index.artifact_type));
  if (!index.artifact_type.empty() && !IsValidMediaType(index.artifact_type))
    return InvalidArgumentError("artifactType: invalid media type \"" + index.artifact_type.substr(0, 300) + "\"");
  const json* manifests = r.Raw("manifests");
  if (!manifests) return InvalidArgumentError("manifests: required field missing");
  if (!manifests->is_array()) return InvalidArgumentError("manifests: must be an array");
  index.manifests.reserve(manifests->size());
  for (size_t i = 0; i < manifests->size(); ++i) {
    auto d = DescriptorFromJson((*manifests)[i]);
    if (!d.ok()) return d.status().Annotate("manifests[" + std::to_string(i) + "]");
    index.manifests.push_back(std::move(d).value());
  }
  if (const json* subject = r.Raw("subject")) {
    auto d = DescriptorFromJson(*subject);
    if (!d.ok()) return d.status().Annotate("subject");
    index.subject = std::move(d).value();
  }
  RETURN_IF_ERROR(r.StringMap("annotations", &index.annotations));
  index.extra = r.Extra();
  return index;
}

bool IsAttestation(const Descriptor& d) {
  return d.platform && d.platform->os == "unknown" && d.platform->architecture == "unknown";
}

}  // namespace

Result<Index> ParseIndex(std::string_view bytes) {
  ASSIGN_OR_RETURN(json j, ParseJson(bytes, "index"));
  auto index = IndexFromJson(j);
  if (!index.ok()) return index.status().Annotate("index");
  return index;
}

json IndexToJson(const Index& index) {
  json j = json::object();
  j["schemaVersion"] = index.schema_version;
  if (!index.media_type.empty()) j["mediaType"] = index.media_type;
  if (!index.artifact_type.empty()) j["artifactType"] = index.artifact_type;
  json manifests = json::array();
  for (const Descriptor& d : index.manifests) manifests.push_back(DescriptorToJson(d));
  j["manifests"] = std::move(manifests);
  if (index.subject) j["subject"] = DescriptorToJson(*index.subject);
  if (!index.annotations.empty()) j["annotations"] = index.annotations;
  internal::MergeExtra(index.extra, &j);
  return j;
}

std::string SerializeIndex(const Index& index) { return CanonicalJson(IndexToJson(index)); }

Result<Index> ConvertIndex(const Index& index, ImageFormat target) {
  Index out = index;
  ASSIGN_OR_RETURN(out.media_type,
                   ConvertMediaType(index.media_type.empty() ? media_type::kOciIndex : index.media_type, target));
  for (Descriptor& d : out.manifests) {
    auto mt = ConvertMediaType(d.media_type, target);
    if (!mt.ok()) return mt.status().Annotate("manifest " + d.digest.ToString());
    d.media_type = std::move(mt).value();
    if (target == ImageFormat::kDocker) d.annotations.clear();
  }
  if (target == ImageFormat::kDocker) {
    out.annotations.clear();
    out.artifact_type.clear();
    out.subject.reset();
  }
  return out;
}

Result<Descriptor> SelectPlatform(const Index& index, const Platform& want) {
  const Descriptor* best = nullptr;
  bool best_exact = false;
  for (const Descriptor& d : index.manifests) {
    if (!IsManifestMediaType(d.media_type) && !IsIndexMediaType(d.media_type)) continue;
    if (IsAttestation(d)) continue;
    if (!d.platform) {
      if (index.manifests.size() == 1) return d;
      continue;
    }
    if (!want.Matches(*d.platform)) continue;
    bool exact = d.platform->variant == want.variant;
    if (!best || (exact && !best_exact)) {
      best = &d;
      best_exact = exact;
    }
  }
  if (best) return *best;
  std::string offered;
  for (const Descriptor& d : index.manifests) {
    if (!d.platform || IsAttestation(d)) continue;
    if (!offered.empty()) offered += ", ";
    offered += d.platform->ToString();
  }
  return NotFoundError("no image for platform " + want.ToString() + " in the index (it offers: " +
                       (offered.empty() ? std::string("none") : offered) + ")");
}

}  // namespace shale::oci
