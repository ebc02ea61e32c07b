#include "storage/oci/layout.h"

#include "storage/oci/json.h"

namespace shale::oci {

Result<std::string> ParseLayoutHeader(std::string_view bytes) {
  ASSIGN_OR_RETURN(nlohmann::json j, ParseJson(bytes, "oci-layout"));
  if (!j.is_object()) return InvalidArgumentError("oci-layout: not a JSON object");
  auto it = j.find("imageLayoutVersion");
  if (it == j.end()) return InvalidArgumentError("oci-layout: imageLayoutVersion: required field missing");
  if (!it->is_string()) return InvalidArgumentError("oci-layout: imageLayoutVersion: must be a string");
  std::string version = it->get<std::string>();
  if (version != kLayoutVersion)
    return FailedPreconditionError("oci-layout: unsupported imageLayoutVersion \"" + version.substr(0, 100) +
                                   "\" (want " + kLayoutVersion + ")");
  return version;
}

std::string SerializeLayoutHeader() { return CanonicalJson(nlohmann::json{{"imageLayoutVersion", kLayoutVersion}}); }

}  // namespace shale::oci
