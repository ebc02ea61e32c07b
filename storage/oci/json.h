// JSON plumbing shared by the OCI codecs: capped parsing and canonical output.
//
// Every document that crosses a trust boundary (registry body, store file,
// user file) goes through ParseJson(): the byte size and the nesting depth are
// checked before nlohmann sees the text (SECURITY.md §2), and nlohmann's
// exceptions never leave this module.
//
// Canonical form (what image digests are computed over): object keys in
// byte-wise sorted order, no insignificant whitespace, UTF-8 as is (invalid
// sequences replaced by U+FFFD). The same value always yields the same bytes.
#ifndef SHALE_STORAGE_OCI_JSON_H_
#define SHALE_STORAGE_OCI_JSON_H_

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace shale::oci {

// 4 MiB: manifests, indexes, configs, index.json, tokens, error bodies.
inline constexpr size_t kMaxJsonBytes = 4u << 20;
// Deepest nesting of arrays/objects accepted.
inline constexpr int kMaxJsonDepth = 64;

// Parses `bytes` as one JSON value. `what` names the document in errors
// ("manifest", "index.json"). ResourceExhausted when over kMaxJsonBytes or
// kMaxJsonDepth (the message names the cap); InvalidArgument with nlohmann's
// position message when malformed.
Result<nlohmann::json> ParseJson(std::string_view bytes, std::string_view what,
                                 size_t max_bytes = kMaxJsonBytes);

// Canonical serialisation (see above). Never throws.
std::string CanonicalJson(const nlohmann::json& value);
// Indented for humans (`shale inspect`), keys sorted. Never throws.
std::string PrettyJson(const nlohmann::json& value);

}  // namespace shale::oci

#endif  // SHALE_STORAGE_OCI_JSON_H_
