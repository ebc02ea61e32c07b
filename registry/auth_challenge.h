// WWW-Authenticate parsing (RFC 7235) and the registry token response.
#ifndef SHALE_REGISTRY_AUTH_CHALLENGE_H_
#define SHALE_REGISTRY_AUTH_CHALLENGE_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace shale {

struct AuthChallenge {
  std::string scheme;                         // lower-case: "basic", "bearer"
  std::map<std::string, std::string> params;  // lower-case names: realm, service, scope, error

  std::string Param(const std::string& name) const {
    auto it = params.find(name);
    return it == params.end() ? "" : it->second;
  }
};

// Parses one header value, which may hold several challenges
// (`Bearer realm="…",service="…", Basic realm="…"`). Malformed parts are
// skipped; never fails.
std::vector<AuthChallenge> ParseWwwAuthenticate(std::string_view header);

struct BearerToken {
  std::string token;
  int64_t expires_in = 60;  // seconds; the spec's default when absent
};

// Parses a token endpoint response ({"token"|"access_token", "expires_in"}).
// InvalidArgument when no token is present; the message never quotes the body.
Result<BearerToken> ParseTokenResponse(std::string_view body);

}  // namespace shale

#endif  // SHALE_REGISTRY_AUTH_CHALLENGE_H_
