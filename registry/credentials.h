// Registry credentials: where they come from and how auth.json is edited.
//
// auth.json (containers-auth.json(5), also docker's config.json):
//   {"auths": {"<key>": {"auth": base64("user:password")}, …},
//    "credHelpers": {"<host>": "<helper>"}, "credsStore": "<helper>", …}
// <key> is "host[:port]" or, more specific, "host[:port]/namespace/repo";
// docker's legacy keys "https://index.docker.io/v1/" are read as their host.
// Other members are kept untouched when shale rewrites the file.
//
// Lookup order (podman's): --creds; then, when --authfile or
// $REGISTRY_AUTH_FILE names a file, only that file; otherwise
// $XDG_RUNTIME_DIR/containers/auth.json (or /run/containers/UID/auth.json),
// ~/.config/containers/auth.json, $DOCKER_CONFIG/config.json or
// ~/.docker/config.json. In each file: credHelpers[host], then the most
// specific "auths" key, then credsStore. Helpers run as
// `docker-credential-NAME get` with the server on stdin.
//
// An entry may carry "identitytoken" (an OAuth2 refresh token; its "auth" is
// then base64("<token>:") or absent): Credentials::identity_token, with the
// "<token>" username dropped. registry/token_request.h says how it is used.
//
// Secrets never appear in a Status message or a log line.
#ifndef SHALE_REGISTRY_CREDENTIALS_H_
#define SHALE_REGISTRY_CREDENTIALS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace shale {

struct Credentials {
  std::string username;
  std::string password;        // or a registry token
  std::string identity_token;  // docker "identitytoken" (OAuth refresh token)
  bool empty() const { return username.empty() && password.empty() && identity_token.empty(); }
};

// What a command was told about credentials (--creds, --authfile).
struct CredentialOptions {
  std::string creds;     // "user[:password]"; empty: not given
  std::string authfile;  // empty: $REGISTRY_AUTH_FILE or the default chain
};

// "user:password" (the password may contain ':'). InvalidArgument when empty.
Result<Credentials> ParseCredsFlag(std::string_view text);

// Files read for a lookup, in order (existing or not).
std::vector<std::string> AuthFileReadPaths(const CredentialOptions& options);
// The file login/logout write: --authfile, $REGISTRY_AUTH_FILE, else
// $XDG_RUNTIME_DIR/containers/auth.json, else /run/containers/UID/auth.json.
std::string AuthFileWritePath(const CredentialOptions& options);

// Finds credentials for `registry` ("host[:port]") and repository path
// ("ns/repo", may be empty). nullopt when none are configured. Errors: a
// malformed auth file (InvalidArgument naming the file), a failing helper.
Result<std::optional<Credentials>> LookupCredentials(const CredentialOptions& options,
                                                     const std::string& registry,
                                                     const std::string& repository);

// Reads credentials for `key` from one auth file only (no helpers).
Result<std::optional<Credentials>> ReadAuthFileEntry(const std::string& path, const std::string& key);

// Sets auths[key] = {"auth": base64(user:password)}, creating the file and its
// directory; atomic, mode 0600, other content kept.
Status StoreCredentials(const std::string& path, const std::string& key, const Credentials& creds);
// Removes auths[key]. NotFound when there was no such entry.
Status RemoveCredentials(const std::string& path, const std::string& key);
// Removes every auths entry (other members kept). OK when the file is absent.
Status RemoveAllCredentials(const std::string& path);

// What login and logout do to the auth file at `path` (podman's and docker's
// behaviour with credential helpers, registry/credential_helper.h). The
// helper for host is the file's credHelpers[host], else its credsStore.
//
// SaveLoginCredentials: with a helper, creds go to `docker-credential-NAME
// store` and the file gets no secret: auths entries for key are removed
// (credsStore: replaced by an empty {} marker, as docker writes, so that
// logout --all can name the host). A repository-specific key ("host/ns")
// cannot be held by a helper: InvalidArgument. Without a helper this is
// StoreCredentials. Returns where the secret went: the file path, or
// "credential helper NAME". On failure the file is unchanged.
Result<std::string> SaveLoginCredentials(const std::string& path, const std::string& key, const Credentials& creds);
// EraseLoginCredentials: erases host's credentials from its helper (only for
// a key without a repository path; the helper's "not found" is no error) and
// removes auths entries for key. NotFound "not logged into KEY" when neither
// held any.
Status EraseLoginCredentials(const std::string& path, const std::string& key);
// EraseAllLoginCredentials (logout --all): erases each credHelpers host
// through its helper and, when credsStore is set, each host-only auths key
// through it (not-found ignored); then removes every auths entry. The
// credHelpers/credsStore settings stay. Credentials a helper holds for hosts
// this file does not name are left alone (helpers are not asked to `list`).
// The first helper error is returned after all were tried.
Status EraseAllLoginCredentials(const std::string& path);

// Base64 (standard alphabet, padded).
std::string Base64Encode(std::string_view data);
Result<std::string> Base64Decode(std::string_view text);

}  // namespace shale

#endif  // SHALE_REGISTRY_CREDENTIALS_H_
