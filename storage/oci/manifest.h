// Image manifest codec: OCI image manifest and Docker v2 schema 2 manifest in
// one struct, told apart by media_type.
//
//   {"schemaVersion":2,"mediaType":…,"artifactType":…,"config":{descriptor},
//    "layers":[descriptor…],"subject":{descriptor},"annotations":{…}, …}
//
// Unknown top-level fields survive a Parse/Serialize round-trip (`extra`).
// Serialize is canonical (json.h), so a manifest built by shale always hashes
// the same. A manifest received from elsewhere must be stored and pushed as
// the received bytes, never re-serialised: its digest is over those bytes.
#ifndef SHALE_STORAGE_OCI_MANIFEST_H_
#define SHALE_STORAGE_OCI_MANIFEST_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/descriptor.h"
#include "base/status.h"
#include "storage/oci/media_types.h"

namespace shale::oci {

struct Manifest {
  int schema_version = 2;
  // kOciManifest or kDockerManifest. May be empty in a parsed OCI manifest
  // (the field is optional there); Serialize writes it when non-empty.
  std::string media_type = media_type::kOciManifest;
  std::string artifact_type;
  Descriptor config;
  std::vector<Descriptor> layers;
  std::optional<Descriptor> subject;
  std::map<std::string, std::string> annotations;
  nlohmann::json extra = nlohmann::json::object();  // unknown top-level fields

  friend bool operator==(const Manifest&, const Manifest&) = default;
};

// Parses and validates (schema + descriptor rules, descriptor_json.h):
// schemaVersion must be 2 (schema 1 is Unimplemented); mediaType, when
// present, must be a manifest type: a malformed one is InvalidArgument, an
// index type is InvalidArgument saying it is an index, any other well-formed
// type is Unimplemented ("unsupported manifest media type …");
// config and layers are required. `layers` may be EMPTY in both formats:
// the image-spec text only says layers SHOULD have an entry "for
// portability", and buildah and BuildKit write zero-layer images for
// metadata-only `FROM scratch` builds, which the store, pull and push must
// handle. Use ParseManifestStrict where the JSON schema's `minItems: 1` must
// hold. Errors: InvalidArgument naming the field; ResourceExhausted over the
// caps of json.h.
Result<Manifest> ParseManifest(std::string_view bytes);
// What the OCI JSON schema adds to ParseManifest: an OCI (non-Docker)
// manifest has at least one layer. OK or InvalidArgument
// ("manifest: layers: … requires at least one layer").
Status CheckManifestSchema(const Manifest& manifest);
// ParseManifest followed by CheckManifestSchema: exactly the documents the
// image-spec JSON schema accepts (as far as the codec checks them).
Result<Manifest> ParseManifestStrict(std::string_view bytes);

// Canonical bytes. `extra` fields are written too (known fields win).
std::string SerializeManifest(const Manifest& manifest);
nlohmann::json ManifestToJson(const Manifest& manifest);

// Rewrites the manifest, config and layer media types for `target`
// (media_types.h ConvertMediaType). To Docker: annotations, artifact_type
// and subject are dropped (Docker v2s2 has no place for them).
// FailedPrecondition when a layer has no equivalent (zstd in Docker).
Result<Manifest> ConvertManifest(const Manifest& manifest, ImageFormat target);

}  // namespace shale::oci

#endif  // SHALE_STORAGE_OCI_MANIFEST_H_
