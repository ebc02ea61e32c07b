// login / logout as library calls (the CLI commands are thin wrappers).
#ifndef SHALE_REGISTRY_LOGIN_H_
#define SHALE_REGISTRY_LOGIN_H_

#include <string>

#include "base/status.h"
#include "registry/credentials.h"
#include "registry/session.h"

namespace shale {

// "https://host:5000/" → "host:5000"; "host/ns/repo" kept (a repository-
// specific entry); docker.io spellings → "docker.io". InvalidArgument when empty.
Result<std::string> NormalizeLoginServer(const std::string& server);

// Checks username/password against the registry's /v2/ (and its token
// service) and, on success only, saves them as SaveLoginCredentials does in
// the auth file AuthFileWritePath names: through its credential helper for
// the host when it has one (the file then holds no secret), else in the
// file. PermissionDenied "invalid username or password" when the registry
// refuses them. Returns where the secret went (the file, or "credential
// helper NAME").
Result<std::string> Login(const std::string& server, const Credentials& credentials,
                          const RegistryOptions& options);

// Removes server's credentials from the write auth file and its credential
// helper (EraseLoginCredentials; NotFound "not logged into …" when neither
// held any), or, when all is true, everything EraseAllLoginCredentials
// removes.
Status Logout(const std::string& server, bool all, const CredentialOptions& options);

// The username stored for server (podman login --get-login). NotFound when none.
Result<std::string> GetLogin(const std::string& server, const CredentialOptions& options);

}  // namespace shale

#endif  // SHALE_REGISTRY_LOGIN_H_
