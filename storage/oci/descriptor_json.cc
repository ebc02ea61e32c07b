#include "storage/oci/descriptor_json.h"

#include <utility>

#include "storage/oci/internal/object_reader.h"
#include "storage/oci/json.h"

namespace shale::oci {

using nlohmann::json;

namespace {

bool IsAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// RFC 6838 restricted-name as the OCI schema spells it.
bool IsRestrictedName(std::string_view s) {
  if (s.empty() || s.size() > 127 || !IsAlnum(s[0])) return false;
  for (char c : s.substr(1)) {
    if (IsAlnum(c)) continue;
    switch (c) {
      case '!': case '#': case '$': case '&': case '^': case '_': case '.': case '+': case '-':
        continue;
      default:
        return false;
    }
  }
  return true;
}

bool IsAbsoluteUri(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) return false;
  for (char c : s.substr(0, colon)) {
    if (!(IsAlnum(c) || c == '+' || c == '.' || c == '-')) return false;
  }
  if (colon + 1 >= s.size()) return false;
  for (char c : s) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '"' || c == '<' || c == '>' || c == '\\' ||
        c == '^' || c == '`' || c == '{' || c == '|' || c == '}')
      return false;
  }
  return true;
}

bool IsPaddedBase64(std::string_view s) {
  if (s.size() % 4 != 0) return false;
  size_t pad = 0;
  while (pad < 2 && pad < s.size() && s[s.size() - 1 - pad] == '=') ++pad;
  for (size_t i = 0; i < s.size() - pad; ++i) {
    char c = s[i];
    if (!(IsAlnum(c) || c == '+' || c == '/')) return false;
  }
  return true;
}

}  // namespace

bool IsValidMediaType(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return false;
  return IsRestrictedName(text.substr(0, slash)) && IsRestrictedName(text.substr(slash + 1));
}

Result<Digest> ParseDescriptorDigest(std::string_view text) {
  auto bad = [&](const char* why) {
    return InvalidArgumentError("invalid digest \"" + std::string(text.substr(0, 150)) + "\": " + why);
  };
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) return bad("missing ':'");
  std::string_view algo = text.substr(0, colon), enc = text.substr(colon + 1);
  if (algo == "sha256" || algo == "sha512") return Digest::Parse(text);
  // algorithm: [a-z0-9]+([+._-][a-z0-9]+)*
  if (algo.empty()) return bad("empty algorithm");
  bool prev_sep = true;
  for (char c : algo) {
    bool sep = c == '+' || c == '.' || c == '_' || c == '-';
    if (sep) {
      if (prev_sep) return bad("malformed algorithm");
    } else if (!IsLowerAlnum(c)) {
      return bad("malformed algorithm");
    }
    prev_sep = sep;
  }
  if (prev_sep) return bad("malformed algorithm");
  if (enc.empty()) return bad("empty encoded part");
  for (char c : enc) {
    if (!(IsAlnum(c) || c == '=' || c == '_' || c == '-')) return bad("malformed encoded part");
  }
  return Digest::FromHex(std::string(algo), std::string(enc));
}

Result<Platform> PlatformFromJson(const json& value) {
  internal::ObjectReader r(value, "platform");
  RETURN_IF_ERROR(r.CheckObject());
  Platform p;
  RETURN_IF_ERROR(r.String("architecture", &p.architecture, true));
  RETURN_IF_ERROR(r.String("os", &p.os, true));
  RETURN_IF_ERROR(r.String("variant", &p.variant));
  RETURN_IF_ERROR(r.String("os.version", &p.os_version));
  RETURN_IF_ERROR(r.StringList("os.features", &p.os_features));
  return p;
}

json PlatformToJson(const Platform& p) {
  json j = json::object();
  j["architecture"] = p.architecture;
  j["os"] = p.os;
  if (!p.variant.empty()) j["variant"] = p.variant;
  if (!p.os_version.empty()) j["os.version"] = p.os_version;
  if (!p.os_features.empty()) j["os.features"] = p.os_features;
  return j;
}

Result<Descriptor> DescriptorFromJson(const json& value) {
  internal::ObjectReader r(value, "");
  RETURN_IF_ERROR(r.CheckObject());
  Descriptor d;
  RETURN_IF_ERROR(r.String("mediaType", &d.media_type, true));
  if (!IsValidMediaType(d.media_type))
    return InvalidArgumentError("mediaType: invalid media type \"" + d.media_type.substr(0, 300) + "\"");
  if (!r.Raw("size")) return InvalidArgumentError("size: required field missing");
  Status s = r.Int("size", &d.size, true);
  if (!s.ok() || d.size < 0) return InvalidArgumentError("size: must be a non-negative integer");
  std::string digest;
  RETURN_IF_ERROR(r.String("digest", &digest, true));
  auto parsed = ParseDescriptorDigest(digest);
  if (!parsed.ok()) return parsed.status().Annotate("digest");
  d.digest = std::move(parsed).value();
  RETURN_IF_ERROR(r.StringList("urls", &d.urls));
  for (size_t i = 0; i < d.urls.size(); ++i) {
    if (!IsAbsoluteUri(d.urls[i]))
      return InvalidArgumentError("urls[" + std::to_string(i) + "]: not an absolute URI: \"" +
                                  d.urls[i].substr(0, 300) + "\"");
  }
  RETURN_IF_ERROR(r.StringMap("annotations", &d.annotations));
  RETURN_IF_ERROR(r.String("data", &d.data));
  if (!IsPaddedBase64(d.data)) return InvalidArgumentError("data: not padded standard base64");
  RETURN_IF_ERROR(r.String("artifactType", &d.artifact_type));
  if (!d.artifact_type.empty() && !IsValidMediaType(d.artifact_type))
    return InvalidArgumentError("artifactType: invalid media type \"" + d.artifact_type.substr(0, 300) + "\"");
  if (const json* p = r.Raw("platform")) {
    auto platform = PlatformFromJson(*p);
    if (!platform.ok()) return platform.status();
    d.platform = std::move(platform).value();
  }
  return d;
}

json DescriptorToJson(const Descriptor& d) {
  json j = json::object();
  j["mediaType"] = d.media_type;
  j["digest"] = d.digest.ToString();
  j["size"] = d.size;
  if (!d.urls.empty()) j["urls"] = d.urls;
  if (!d.annotations.empty()) j["annotations"] = d.annotations;
  if (d.platform) j["platform"] = PlatformToJson(*d.platform);
  if (!d.artifact_type.empty()) j["artifactType"] = d.artifact_type;
  if (!d.data.empty()) j["data"] = d.data;
  return j;
}

Result<Descriptor> ParseDescriptor(std::string_view bytes) {
  ASSIGN_OR_RETURN(json j, ParseJson(bytes, "descriptor"));
  auto d = DescriptorFromJson(j);
  if (!d.ok()) return d.status().Annotate("descriptor");
  return d;
}

std::string SerializeDescriptor(const Descriptor& descriptor) { return CanonicalJson(DescriptorToJson(descriptor)); }

}  // namespace shale::oci
