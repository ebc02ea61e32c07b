#include "registry/client.h"

#include <strings.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <thread>

#include "base/log.h"
#include "registry/token_request.h"

namespace shale {
namespace {

bool IsRetryableStatus(int s) { return s == 408 || s == 429 || s == 500 || s == 502 || s == 503 || s == 504; }
bool IsRedirect(int s) { return s == 301 || s == 302 || s == 303 || s == 307 || s == 308; }

void SetHeader(HttpRequest& r, const std::string& name, const std::string& value) {
  auto& h = r.headers;
  h.erase(std::remove_if(h.begin(), h.end(), [&](const auto& kv) { return strcasecmp(kv.first.c_str(), name.c_str()) == 0; }),
          h.end());
  if (!value.empty()) h.emplace_back(name, value);
}

std::string ScopeKey(const std::vector<std::string>& scopes) {
  std::vector<std::string> s = scopes;
  std::sort(s.begin(), s.end());
  std::string k;
  for (const auto& x : s) k += x + " ";
  return k;
}

}  // namespace

std::string UrlEncode(std::string_view text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string UrlOrigin(const std::string& url) {
  size_t sep = url.find("://");
  if (sep == std::string::npos) return "";
  std::string scheme = url.substr(0, sep);
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t start = sep + 3;
  size_t end = url.find_first_of("/?#", start);
  std::string authority = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (size_t at = authority.rfind('@'); at != std::string::npos) authority = authority.substr(at + 1);
  for (char& c : authority) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  bool has_port = !authority.empty() && authority.back() != ']' && authority.find(':', authority.rfind(']') == std::string::npos ? 0 : authority.rfind(']')) != std::string::npos;
  if (!has_port) authority += scheme == "https" ? ":443" : ":80";
  return scheme + "://" + authority;
}

std::string ResolveUrl(const std::string& base, const std::string& location) {
  if (location.find("://") != std::string::npos) return location;
  size_t sep = base.find("://");
  std::string scheme = base.substr(0, sep);
  if (location.rfind("//", 0) == 0) return scheme + ":" + location;
  size_t path_start = base.find('/', sep + 3);
  std::string origin = path_start == std::string::npos ? base : base.substr(0, path_start);
  if (!location.empty() && location[0] == '/') return origin + location;
  std::string path = path_start == std::string::npos ? "/" : base.substr(path_start);
  path = path.substr(0, path.find('?'));
  path = path.substr(0, path.rfind('/') + 1);
  return origin + path + location;
}

RegistryClient::RegistryClient(HttpTransport& transport, RegistryEndpoint endpoint,
                               std::optional<Credentials> credentials, RetryPolicy retry)
    : transport_(transport), endpoint_(std::move(endpoint)), credentials_(std::move(credentials)),
      retry_(std::move(retry)) {
  if (endpoint_.insecure) endpoint_.tls.verify = false;
  if (retry_.max_attempts < 1) retry_.max_attempts = 1;
}

std::string RegistryClient::BaseUrl() const {
  std::lock_guard<std::mutex> l(mu_);
  return (scheme_.empty() ? "https" : scheme_) + "://" + endpoint_.domain;
}

void RegistryClient::Sleep(std::chrono::milliseconds d) const {
  if (retry_.sleep) {
    retry_.sleep(d);
  } else {
    std::this_thread::sleep_for(d);
  }
}

std::chrono::milliseconds RegistryClient::Delay(int attempt, const HttpResponse* response) const {
  if (response && (response->status == 429 || response->status == 503)) {
    std::string ra = response->Header("retry-after");
    if (!ra.empty() && std::all_of(ra.begin(), ra.end(), [](unsigned char c) { return std::isdigit(c); }) &&
        ra.size() < 9) {
      auto d = std::chrono::milliseconds(std::stoll(ra) * 1000);
      return std::min(d, retry_.max_retry_after);
    }
  }
  auto d = retry_.initial_delay * (1LL << std::min(attempt - 1, 20));
  return std::min<std::chrono::milliseconds>(d, retry_.max_delay);
}

Status RegistryClient::StatusFromResponse(const HttpResponse& r, const std::string& what) {
  std::string detail;
  auto doc = nlohmann::json::parse(r.body, nullptr, false);
  if (!doc.is_discarded() && doc.is_object() && doc.contains("errors") && doc["errors"].is_array()) {
    for (const auto& e : doc["errors"]) {
      if (!e.is_object()) continue;
      std::string code = e.contains("code") && e["code"].is_string() ? e["code"].get<std::string>() : "";
      std::string msg = e.contains("message") && e["message"].is_string() ? e["message"].get<std::string>() : "";
      if (!detail.empty()) detail += "; ";
      detail += code + (msg.empty() ? "" : ": " + msg);
      if (detail.size() > 300) break;
    }
  }
  if (detail.size() > 300) detail = detail.substr(0, 300) + "…";
  std::string m = what + ": HTTP " + std::to_string(r.status) + (detail.empty() ? "" : " (" + detail + ")");
  switch (r.status) {
    case 401:
    case 403:
      return PermissionDeniedError(m);
    case 404:
      return NotFoundError(m);
    case 408:
    case 429:
    case 500:
    case 502:
    case 503:
    case 504:
      return UnavailableError(m);
    case 400:
    case 405:
    case 413:
    case 416:
      return InvalidArgumentError(m);
    default:
      return InternalError(m);
  }
}

Result<HttpResponse> RegistryClient::FollowRedirects(HttpRequest req, bool secret_body) {
  for (int hop = 0;; ++hop) {
    ASSIGN_OR_RETURN(HttpResponse r, transport_.Do(req));
    SHALE_LOG(Debug) << req.method << " " << req.url << " -> " << r.status;
    if (!IsRedirect(r.status) || r.Header("location").empty()) return r;
    if (hop >= 10) return UnavailableError(req.method + " " + req.url + ": more than 10 redirects");
    std::string next = ResolveUrl(req.url, r.Header("location"));
    if (UrlOrigin(next).rfind("http", 0) != 0) return InvalidArgumentError("redirect to a non-HTTP URL");
    if (UrlOrigin(next) != UrlOrigin(req.url)) {
      SetHeader(req, "Authorization", "");
      // A body that is a credential (a refresh token) stays with its origin.
      if (secret_body && !req.body.empty() && (r.status == 307 || r.status == 308))
        return PermissionDeniedError(req.method + " " + req.url + ": redirected to " + UrlOrigin(next) +
                                     "; credentials are not sent there");
    }
    if (r.status == 303 || ((r.status == 301 || r.status == 302) && req.method == "POST")) {
      req.method = "GET";
      req.body.clear();
      req.upload_fd = -1;
    }
    req.url = next;
  }
}

Status RegistryClient::EnsureScheme() {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!scheme_.empty()) return Status::Ok();
  }
  return Ping();
}

Status RegistryClient::Ping() {
  std::vector<std::string> schemes{"https"};
  if (endpoint_.insecure) schemes.push_back("http");
  Status last;
  for (const auto& scheme : schemes) {
    HttpRequest req;
    req.url = scheme + "://" + endpoint_.domain + "/v2/";
    req.tls = endpoint_.tls;
    for (int attempt = 1;; ++attempt) {
      auto r = FollowRedirects(req);
      if (r.ok() && IsRetryableStatus(r->status) && attempt < retry_.max_attempts) {
        Sleep(Delay(attempt, &*r));
        continue;
      }
      if (!r.ok()) {
        last = r.status();
        // Connection refused on https may mean a plain http registry: try it now.
        if (last.code() == StatusCode::kUnavailable && attempt < retry_.max_attempts &&
            !(endpoint_.insecure && scheme == "https")) {
          Sleep(Delay(attempt, nullptr));
          continue;
        }
        break;
      }
      if (r->status == 404) return NotFoundError("pinging container registry " + endpoint_.domain + ": /v2/ not found");
      std::lock_guard<std::mutex> l(mu_);
      scheme_ = scheme;
      if (r->status == 401) {
        for (const auto& h : r->Headers("www-authenticate")) {
          for (const auto& ch : ParseWwwAuthenticate(h)) {
            if (ch.scheme == "bearer") {
              auth_kind_ = "bearer";
              bearer_challenge_ = ch;
            } else if (ch.scheme == "basic" && auth_kind_.empty()) {
              auth_kind_ = "basic";
            }
          }
        }
      }
      return Status::Ok();
    }
  }
  return last.Annotate("pinging container registry " + endpoint_.domain);
}

bool RegistryClient::CredentialsAllowedFor(const std::string& url) const {
  if (!credentials_) return false;
  std::string origin = UrlOrigin(url);
  if (origin.rfind("http://", 0) == 0 && !endpoint_.insecure) return false;
  return origin == UrlOrigin(BaseUrl() + "/");
}

std::string RegistryClient::AuthHeader(const std::vector<std::string>& scopes) {
  std::lock_guard<std::mutex> l(mu_);
  if (auth_kind_ == "basic" && credentials_ && !credentials_->username.empty())
    return "Basic " + Base64Encode(credentials_->username + ":" + credentials_->password);
  if (auth_kind_ == "bearer") {
    auto it = tokens_.find(ScopeKey(scopes));
    if (it != tokens_.end() && it->second.expires > std::chrono::steady_clock::now())
      return "Bearer " + it->second.token;
  }
  return "";
}

Status RegistryClient::FetchToken(const AuthChallenge& ch, const std::vector<std::string>& scopes, bool use_credentials) {
  const Credentials* creds = use_credentials && credentials_ ? &*credentials_ : nullptr;
  ASSIGN_OR_RETURN(TokenRequestPlan plan, BuildTokenRequest(ch, scopes, creds, endpoint_.insecure));
  plan.request.tls = endpoint_.tls;
  std::string realm = ch.Param("realm");
  Result<HttpResponse> r = UnavailableError("no attempt");
  for (int attempt = 1;; ++attempt) {
    r = FollowRedirects(plan.request, plan.carries_secret);
    bool retry = r.ok() ? IsRetryableStatus(r->status) : r.status().code() == StatusCode::kUnavailable;
    if (!retry || attempt >= retry_.max_attempts) break;
    Sleep(Delay(attempt, r.ok() ? &*r : nullptr));
  }
  std::string what = "requesting a token from " + UrlOrigin(realm);
  if (!r.ok()) return r.status().Annotate(what);
  // OAuth2 answers a refused refresh token with 400 invalid_grant (RFC 6749 §5.2).
  if (plan.identity_token && (r->status == 400 || r->status == 401 || r->status == 403))
    return PermissionDeniedError(what + ": HTTP " + std::to_string(r->status) + " (identity token for " +
                                 endpoint_.domain + " refused)");
  if (r->status == 401 || r->status == 403)
    return PermissionDeniedError(what + ": HTTP " + std::to_string(r->status) +
                                 (creds ? " (invalid username or password?)" : " (credentials required)"));
  if (r->status != 200) return StatusFromResponse(*r, what);
  auto tok = ParseTokenResponse(r->body);
  if (!tok.ok()) return tok.status().Annotate(what);
  std::lock_guard<std::mutex> l(mu_);
  int64_t life = std::max<int64_t>(tok->expires_in - 10, 5);
  tokens_[ScopeKey(scopes)] = {tok->token, std::chrono::steady_clock::now() + std::chrono::seconds(life)};
  return Status::Ok();
}

Status RegistryClient::Authenticate(const AuthChallenge& ch, const std::vector<std::string>& scopes, bool* changed) {
  *changed = false;
  if (ch.scheme == "bearer") {
    {
      std::lock_guard<std::mutex> l(mu_);
      auth_kind_ = "bearer";
      bearer_challenge_ = ch;
      tokens_.erase(ScopeKey(scopes));
    }
    std::vector<std::string> want = scopes;
    // The challenge may name the scope it wants (e.g. for /v2/ nothing, or extra actions).
    if (std::string s = ch.Param("scope"); !s.empty() && std::find(want.begin(), want.end(), s) == want.end() && scopes.empty())
      want.push_back(s);
    RETURN_IF_ERROR(FetchToken(ch, want, true));
    if (want != scopes) {
      std::lock_guard<std::mutex> l(mu_);
      tokens_[ScopeKey(scopes)] = tokens_[ScopeKey(want)];
    }
    *changed = true;
    return Status::Ok();
  }
  if (ch.scheme == "basic") {
    std::lock_guard<std::mutex> l(mu_);
    if (auth_kind_ != "basic" && credentials_ && !credentials_->username.empty()) {
      auth_kind_ = "basic";
      *changed = true;
    }
  }
  return Status::Ok();
}

Result<HttpResponse> RegistryClient::SendOnce(HttpRequest req, const std::vector<std::string>& scopes) {
  bool need_token = false;
  AuthChallenge ch;
  std::string kind;
  {
    std::lock_guard<std::mutex> l(mu_);
    kind = auth_kind_;
    if (auth_kind_ == "bearer") {
      auto it = tokens_.find(ScopeKey(scopes));
      need_token = it == tokens_.end() || it->second.expires <= std::chrono::steady_clock::now();
      ch = bearer_challenge_;
    }
  }
  if (need_token) {
    std::lock_guard<std::mutex> fetch(fetch_mu_);
    bool still_needed;
    {
      std::lock_guard<std::mutex> l(mu_);
      auto it = tokens_.find(ScopeKey(scopes));
      still_needed = it == tokens_.end() || it->second.expires <= std::chrono::steady_clock::now();
    }
    if (still_needed) RETURN_IF_ERROR(FetchToken(ch, scopes, true));
  }
  if (CredentialsAllowedFor(req.url) || kind == "bearer") {
    std::string h = AuthHeader(scopes);
    if (UrlOrigin(req.url) == UrlOrigin(BaseUrl() + "/")) SetHeader(req, "Authorization", h);
  }
  ASSIGN_OR_RETURN(HttpResponse r, FollowRedirects(req));
  if (r.status != 401) return r;
  AuthChallenge chosen;
  for (const auto& h : r.Headers("www-authenticate"))
    for (const auto& c : ParseWwwAuthenticate(h))
      if (chosen.scheme.empty() || (c.scheme == "bearer" && chosen.scheme != "bearer")) chosen = c;
  if (chosen.scheme.empty()) return r;
  bool changed = false;
  RETURN_IF_ERROR(Authenticate(chosen, scopes, &changed));
  if (!changed) return r;
  bool bearer;
  {
    std::lock_guard<std::mutex> l(mu_);
    bearer = auth_kind_ == "bearer";
  }
  if (UrlOrigin(req.url) == UrlOrigin(BaseUrl() + "/") && (bearer || CredentialsAllowedFor(req.url)))
    SetHeader(req, "Authorization", AuthHeader(scopes));
  return FollowRedirects(req);
}

Result<HttpResponse> RegistryClient::Send(HttpRequest req, const std::vector<std::string>& scopes,
                                          RestartableSink* restart) {
  RETURN_IF_ERROR(EnsureScheme());
  if (!req.url.empty() && req.url[0] == '/') req.url = BaseUrl() + req.url;
  if (UrlOrigin(req.url) == UrlOrigin(BaseUrl() + "/")) req.tls = endpoint_.tls;
  for (int attempt = 1;; ++attempt) {
    if (attempt > 1 && restart) RETURN_IF_ERROR(restart->Restart());
    auto r = SendOnce(req, scopes);
    if (!r.ok()) {
      if (r.status().code() == StatusCode::kUnavailable && attempt < retry_.max_attempts) {
        SHALE_LOG(Warning) << "retrying " << req.method << " " << req.url << " (attempt " << attempt + 1 << " of "
                           << retry_.max_attempts << "): " << r.status().message();
        Sleep(Delay(attempt, nullptr));
        continue;
      }
      return r.status();
    }
    if (IsRetryableStatus(r->status) && attempt < retry_.max_attempts) {
      SHALE_LOG(Warning) << "retrying " << req.method << " " << req.url << " (attempt " << attempt + 1 << " of "
                         << retry_.max_attempts << "): HTTP " << r->status;
      Sleep(Delay(attempt, &*r));
      continue;
    }
    return r;
  }
}

Status RegistryClient::CheckLogin() {
  RETURN_IF_ERROR(Ping());
  std::string kind;
  AuthChallenge ch;
  {
    std::lock_guard<std::mutex> l(mu_);
    kind = auth_kind_;
    ch = bearer_challenge_;
  }
  if (kind == "bearer") {
    Status s = FetchToken(ch, {}, true);
    if (s.code() == StatusCode::kPermissionDenied)
      return PermissionDeniedError("logging in to " + endpoint_.domain + ": invalid username or password");
    return s.Annotate("logging in to " + endpoint_.domain);
  }
  HttpRequest req;
  req.url = "/v2/";
  auto r = Send(req, {});
  if (!r.ok()) return r.status().Annotate("logging in to " + endpoint_.domain);
  if (r->status == 401 || r->status == 403)
    return PermissionDeniedError("logging in to " + endpoint_.domain + ": invalid username or password");
  if (r->status != 200) return StatusFromResponse(*r, "logging in to " + endpoint_.domain);
  return Status::Ok();
}

}  // namespace shale
