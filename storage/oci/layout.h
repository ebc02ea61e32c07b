// The "oci-layout" file of an OCI image layout: {"imageLayoutVersion":"1.0.0"}.
#ifndef SHALE_STORAGE_OCI_LAYOUT_H_
#define SHALE_STORAGE_OCI_LAYOUT_H_

#include <string>
#include <string_view>

#include "base/status.h"

namespace shale::oci {

inline constexpr char kLayoutVersion[] = "1.0.0";
inline constexpr char kLayoutHeaderMediaType[] = "application/vnd.oci.layout.header.v1+json";

// Returns imageLayoutVersion. InvalidArgument when malformed or the field is
// missing / not a string; FailedPrecondition when the version is not 1.0.0.
Result<std::string> ParseLayoutHeader(std::string_view bytes);
std::string SerializeLayoutHeader();  // {"imageLayoutVersion":"1.0.0"}

}  // namespace shale::oci

#endif  // SHALE_STORAGE_OCI_LAYOUT_H_
