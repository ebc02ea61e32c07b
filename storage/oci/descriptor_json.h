// JSON codec for content descriptors and platforms (OCI image-spec
// descriptor.md, image-index.md "platform").
//
// Validation follows the OCI schema plus upstream's Go checks: mediaType and
// artifactType match the RFC 6838 pattern; size is a non-negative integer;
// digest matches "<algorithm>:<encoded>" and, for the registered algorithms,
// has the exact encoding (sha256 = 64 lowercase hex, sha512 = 128); urls are
// absolute URIs; data is padded standard base64. A digest with an unregistered
// algorithm that fits the grammar (e.g. "multihash+base58:Qm…") is accepted
// and kept as Digest::FromHex(algorithm, encoded): such a Digest is never a
// sha256 one, so BlobStore refuses it and a digest check against computed
// sha256 content fails.
//
// Unknown descriptor fields are not kept (base's Descriptor has no slot);
// unknown fields at the document level are (see manifest.h, index.h).
#ifndef SHALE_STORAGE_OCI_DESCRIPTOR_JSON_H_
#define SHALE_STORAGE_OCI_DESCRIPTOR_JSON_H_

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/descriptor.h"
#include "base/platform.h"
#include "base/status.h"

namespace shale::oci {

// True when text matches the OCI media type pattern (type/subtype, each
// starting alphanumeric, ≤ 127 chars, RFC 6838 restricted names).
bool IsValidMediaType(std::string_view text);

// Parses a digest as descriptors carry it (see above). InvalidArgument naming
// the problem.
Result<Digest> ParseDescriptorDigest(std::string_view text);

// Decodes a descriptor object. InvalidArgument naming the field at fault,
// e.g. "descriptor: size: must be a non-negative integer". `platform` is read
// when present (index entries).
Result<Descriptor> DescriptorFromJson(const nlohmann::json& value);
// Encodes in canonical field names; empty optional fields are omitted.
nlohmann::json DescriptorToJson(const Descriptor& descriptor);

// Whole-document helpers (capped, see json.h).
Result<Descriptor> ParseDescriptor(std::string_view bytes);
std::string SerializeDescriptor(const Descriptor& descriptor);

// Platform object: architecture and os required (strings), variant,
// os.version and os.features optional. Values are kept as written (not
// normalised); use Platform::Normalized() for comparisons.
Result<Platform> PlatformFromJson(const nlohmann::json& value);
nlohmann::json PlatformToJson(const Platform& platform);

}  // namespace shale::oci

#endif  // SHALE_STORAGE_OCI_DESCRIPTOR_JSON_H_
