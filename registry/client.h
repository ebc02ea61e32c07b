// RegistryClient: the OCI distribution-spec API of one registry host over an
// HttpTransport, with authentication, redirects and retries.
//
// Scheme: https; when the endpoint is insecure (registries.conf or
// --tls-verify=false) TLS is not verified and plain http is tried after an
// https connection failure. Credentials are never sent over plain http unless
// the endpoint is insecure.
//
// Auth: requests first go out with what is cached. On 401 the challenge is
// read: Basic → the endpoint's credentials; Bearer → a token for the request's
// scopes and the challenge's service from its realm (registry/token_request.h:
// a GET with Basic credentials, or an OAuth2 refresh_token POST when the
// credentials carry an identity token; secrets only when the realm is https or
// the endpoint is insecure), cached per scope set until it expires; a 401 with
// a cached token fetches a fresh one once. A refused identity token is
// PermissionDenied naming the registry.
//
// Redirects (301/302/303/307/308, at most 10) are followed here, not by the
// transport, so Authorization is dropped whenever scheme, host or port change.
//
// Retries (SECURITY.md §7): 408, 429, 500, 502, 503, 504 and transport
// Unavailable errors (reset, refused, stalled) are retried up to
// RetryPolicy::max_attempts in total, with exponential backoff; Retry-After
// (seconds) is honoured up to max_retry_after. Bodies streamed to a sink
// restart from zero: the sink must be a RestartableSink.
#ifndef SHALE_REGISTRY_CLIENT_H_
#define SHALE_REGISTRY_CLIENT_H_

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/byte_sink.h"
#include "base/digest.h"
#include "base/status.h"
#include "registry/auth_challenge.h"
#include "registry/credentials.h"
#include "registry/http_transport.h"

namespace shale {

struct RetryPolicy {
  int max_attempts = 4;  // total tries per request (podman's --retry 3 + 1)
  std::chrono::milliseconds initial_delay{500};
  std::chrono::milliseconds max_delay{10000};
  std::chrono::milliseconds max_retry_after{30000};
  // Test seam; defaults to std::this_thread::sleep_for.
  std::function<void(std::chrono::milliseconds)> sleep;
};

// A sink that can throw away what it received and start over (a retry).
class RestartableSink : public ByteSink {
 public:
  virtual Status Restart() = 0;
};

struct RegistryEndpoint {
  std::string domain;     // "127.0.0.1:5000", "quay.io"
  bool insecure = false;  // http fallback allowed, TLS not verified
  TlsConfig tls;
};

class RegistryClient {
 public:
  RegistryClient(HttpTransport& transport, RegistryEndpoint endpoint,
                 std::optional<Credentials> credentials, RetryPolicy retry = {});

  const RegistryEndpoint& endpoint() const { return endpoint_; }
  // "https://host:port" once known (after Ping or the first request).
  std::string BaseUrl() const;

  // GET /v2/: picks the scheme and records the challenge. Errors: Unavailable,
  // FailedPrecondition (TLS), NotFound (no /v2/: not a registry).
  Status Ping();
  // Checks the credentials as `login` does: /v2/ answers 200 with them (Basic),
  // or a token can be obtained with them (Bearer). PermissionDenied
  // "invalid username or password" otherwise.
  Status CheckLogin();

  // One logical request against a path ("/v2/…") or absolute URL, with auth,
  // redirects and retries. Returns the final response whatever its status.
  // `scopes` are token scopes ("repository:a/b:pull").
  Result<HttpResponse> Send(HttpRequest request, const std::vector<std::string>& scopes,
                            RestartableSink* restart = nullptr);

  // Turns a non-2xx response into a Status: 401/403 PermissionDenied, 404
  // NotFound, 429/5xx Unavailable, others InvalidArgument/Internal; the
  // message has the HTTP status and the registry's error codes/messages.
  static Status StatusFromResponse(const HttpResponse& response, const std::string& what);

 private:
  Result<HttpResponse> SendOnce(HttpRequest request, const std::vector<std::string>& scopes);
  // secret_body: the body is a credential; a 307/308 to another origin fails
  // (PermissionDenied) instead of re-sending it there.
  Result<HttpResponse> FollowRedirects(HttpRequest request, bool secret_body = false);
  Status Authenticate(const AuthChallenge& challenge, const std::vector<std::string>& scopes, bool* changed);
  Status FetchToken(const AuthChallenge& challenge, const std::vector<std::string>& scopes, bool use_credentials);
  std::string AuthHeader(const std::vector<std::string>& scopes);
  bool CredentialsAllowedFor(const std::string& url) const;
  Status EnsureScheme();
  std::chrono::milliseconds Delay(int attempt, const HttpResponse* response) const;
  void Sleep(std::chrono::milliseconds d) const;

  HttpTransport& transport_;
  RegistryEndpoint endpoint_;
  std::optional<Credentials> credentials_;
  RetryPolicy retry_;

  mutable std::mutex mu_;
  std::mutex fetch_mu_;     // one token fetch at a time (threads share the result)
  std::string scheme_;      // "https" / "http" once known
  std::string auth_kind_;   // "", "basic", "bearer"
  AuthChallenge bearer_challenge_;
  struct CachedToken {
    std::string token;
    std::chrono::steady_clock::time_point expires;
  };
  std::map<std::string, CachedToken> tokens_;  // by joined scope set
};

// Origin of a URL: "scheme://host[:port]" (lower-case scheme and host).
std::string UrlOrigin(const std::string& url);
// Resolves a Location header against the URL it came from.
std::string ResolveUrl(const std::string& base, const std::string& location);
// Percent-encodes a query value.
std::string UrlEncode(std::string_view text);

}  // namespace shale

#endif  // SHALE_REGISTRY_CLIENT_H_
