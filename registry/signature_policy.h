// The signature policy (containers-policy.json(5)) as far as a pull needs it:
// may an image be copied from the "docker" transport into the store?
//
//   {"default": [REQ...],
//    "transports": {"docker": {"SCOPE": [REQ...], ...}, ...}}
//
// The requirements of the most specific docker scope that matches the image
// apply: "host[:port]/path:tag" or "…@digest", then "host[:port]/path", then
// each shorter path prefix ("host/ns"), then "host[:port]", then wildcards
// "*.domain" (longest first), then "" (the transport's default), then
// "default". Every requirement of that list must hold:
//   insecureAcceptAnything  holds;
//   reject                  never holds: PermissionDenied naming the policy
//                           file and the scope that matched;
//   signedBy, sigstoreSigned
//                           need signature verification, which shale does not
//                           do: Unimplemented, saying so — never a silent pass.
// Other requirement types are InvalidArgument (as podman refuses them).
//
// Files: --signature-policy FILE alone when given (it must exist); otherwise
// $HOME/.config/containers/policy.json, then /etc/containers/policy.json. When
// none exists every image is accepted (shale needs no system configuration;
// podman would refuse to run instead).
#ifndef SHALE_REGISTRY_SIGNATURE_POLICY_H_
#define SHALE_REGISTRY_SIGNATURE_POLICY_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "registry/reference.h"

namespace shale {

class SignaturePolicy {
 public:
  // Accepts everything (no policy file).
  SignaturePolicy() = default;

  // `explicit_path` non-empty: that file (NotFound when missing); else the
  // default chain above. InvalidArgument (naming the file) for malformed
  // JSON, a file over 1 MiB, or an unknown requirement type.
  static Result<SignaturePolicy> Load(const std::string& explicit_path);
  static Result<SignaturePolicy> Parse(std::string_view json, const std::string& file);

  // OK when `ref` may be pulled; see above for the errors.
  Status CheckPull(const Reference& ref) const;

  const std::string& file() const { return file_; }  // "" when none was read

 private:
  std::string file_;
  bool has_default_ = false;
  std::vector<std::string> default_;                               // requirement types
  std::map<std::string, std::vector<std::string>> docker_scopes_;  // scope → types
};

}  // namespace shale

#endif  // SHALE_REGISTRY_SIGNATURE_POLICY_H_
