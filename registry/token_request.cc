#include "registry/token_request.h"

#include "registry/client.h"

namespace shale {

Result<TokenRequestPlan> BuildTokenRequest(const AuthChallenge& ch, const std::vector<std::string>& scopes,
                                           const Credentials* credentials, bool insecure_registry) {
  std::string realm = ch.Param("realm");
  std::string origin = UrlOrigin(realm);
  bool https = origin.rfind("https://", 0) == 0;
  if (!https && origin.rfind("http://", 0) != 0) return InvalidArgumentError("bearer challenge without a usable realm");
  bool may_send = https || insecure_registry;

  std::string params;
  auto add = [&params](const char* name, const std::string& value) {
    params += (params.empty() ? "" : "&") + std::string(name) + "=" + UrlEncode(value);
  };
  TokenRequestPlan plan;
  if (may_send && credentials && !credentials->identity_token.empty()) {
    add("grant_type", "refresh_token");
    add("refresh_token", credentials->identity_token);
    if (!ch.Param("service").empty()) add("service", ch.Param("service"));
    for (const auto& s : scopes) add("scope", s);
    add("client_id", kOAuthClientId);
    plan.request.method = "POST";
    plan.request.url = realm;
    plan.request.body = std::move(params);
    plan.request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    plan.carries_secret = true;
    plan.identity_token = true;
    return plan;
  }
  if (!ch.Param("service").empty()) add("service", ch.Param("service"));
  for (const auto& s : scopes) add("scope", s);
  plan.request.url = realm + (params.empty() ? "" : (realm.find('?') == std::string::npos ? "?" : "&") + params);
  if (may_send && credentials && !credentials->username.empty()) {
    plan.request.headers.emplace_back(
        "Authorization", "Basic " + Base64Encode(credentials->username + ":" + credentials->password));
    plan.carries_secret = true;
  }
  return plan;
}

}  // namespace shale
