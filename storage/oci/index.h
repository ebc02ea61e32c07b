// Image index codec: OCI image index and Docker manifest list in one struct,
// told apart by media_type. Also the shape of an OCI layout's index.json.
//
//   {"schemaVersion":2,"mediaType":…,"artifactType":…,
//    "manifests":[descriptor with optional "platform"…],
//    "subject":{descriptor},"annotations":{…}, …}
//
// Unknown top-level fields survive a round-trip (`extra`); Serialize is
// canonical (json.h).
#ifndef SHALE_STORAGE_OCI_INDEX_H_
#define SHALE_STORAGE_OCI_INDEX_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/descriptor.h"
#include "base/platform.h"
#include "base/status.h"
#include "storage/oci/media_types.h"

namespace shale::oci {

struct Index {
  int schema_version = 2;
  // kOciIndex or kDockerManifestList; may be empty in a parsed OCI index.
  std::string media_type = media_type::kOciIndex;
  std::string artifact_type;
  std::vector<Descriptor> manifests;
  std::optional<Descriptor> subject;
  std::map<std::string, std::string> annotations;
  nlohmann::json extra = nlohmann::json::object();  // unknown top-level fields

  friend bool operator==(const Index&, const Index&) = default;
};

// Parses and validates: schemaVersion 2; mediaType, when present, an index
// type (a manifest is InvalidArgument saying so); every entry a valid
// descriptor whose platform, when present, has os and architecture.
// Errors as ParseManifest (manifest.h); entry errors name the index:
// "manifests[3]: digest: …".
Result<Index> ParseIndex(std::string_view bytes);
std::string SerializeIndex(const Index& index);
nlohmann::json IndexToJson(const Index& index);

// Rewrites the index media type and every entry's manifest/index media type
// for `target`. To Docker: annotations, artifact_type and subject dropped.
Result<Index> ConvertIndex(const Index& index, ImageFormat target);

// Picks the entry to run on `want`: entries whose media type is a manifest
// or index and whose platform Matches(want) (base/platform.h); an exact
// variant match beats a normalised one; earlier entries win ties. Entries
// without a platform match only when the index has exactly one entry.
// Attestation entries (platform unknown/unknown) never match.
// NotFound listing the platforms the index offers.
Result<Descriptor> SelectPlatform(const Index& index, const Platform& want);

}  // namespace shale::oci

#endif  // SHALE_STORAGE_OCI_INDEX_H_
