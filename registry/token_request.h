// The HTTP request that asks a Bearer challenge's realm for a token.
//
// Two shapes (distribution's token spec and its OAuth2 variant):
//   GET  <realm>?service=S&scope=A&scope=B
//        with `Authorization: Basic base64(user:password)` when the
//        credentials have a username and may be sent;
//   POST <realm>  (Content-Type application/x-www-form-urlencoded)
//        grant_type=refresh_token&refresh_token=T&service=S&scope=A&scope=B&client_id=shale
//        when the credentials carry an identity token (docker's
//        "identitytoken", an OAuth2 refresh token) and it may be sent.
// The answer of either is read by ParseTokenResponse ("token" or
// "access_token").
//
// "May be sent" (SECURITY.md §4): the realm is https, or the registry was
// declared insecure. A realm is named by the registry's own challenge, so
// its host may differ from the registry's. When secrets may not be sent the
// request is an anonymous GET. The URL of either shape never holds a secret,
// so it may appear in errors and logs; the POST body and headers may not.
#ifndef SHALE_REGISTRY_TOKEN_REQUEST_H_
#define SHALE_REGISTRY_TOKEN_REQUEST_H_

#include <string>
#include <vector>

#include "base/status.h"
#include "registry/auth_challenge.h"
#include "registry/credentials.h"
#include "registry/http_transport.h"

namespace shale {

inline constexpr char kOAuthClientId[] = "shale";

struct TokenRequestPlan {
  HttpRequest request;
  // True when the request carries a secret (Basic header or refresh token):
  // it must not follow a redirect to another origin.
  bool carries_secret = false;
  // True for the OAuth2 refresh_token grant: a refusal means the identity
  // token is wrong, not the username or password.
  bool identity_token = false;
};

// Builds the token request for challenge `ch` (realm, service) and `scopes`.
// `credentials` may be null (anonymous). `insecure_registry` allows secrets
// to a plain-http realm. InvalidArgument when the realm is not an http(s)
// URL. The request's tls is left default (the caller sets it).
Result<TokenRequestPlan> BuildTokenRequest(const AuthChallenge& ch, const std::vector<std::string>& scopes,
                                           const Credentials* credentials, bool insecure_registry);

}  // namespace shale

#endif  // SHALE_REGISTRY_TOKEN_REQUEST_H_
