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
// service) and, on success only, stores them in the auth file
// (AuthFileWritePath). PermissionDenied "invalid username or password" when
// the registry refuses them. Returns the auth file written.
Result<std::string> Login(const std::string& server, const Credentials& credentials,
                          const RegistryOptions& options);

// Removes the entry for server (NotFound "not logged into …" when absent),
// or every entry when all is true.
Status Logout(const std::string& server, bool all, const CredentialOptions& options);

// The username stored for server (podman login --get-login). NotFound when none.
Result<std::string> GetLogin(const std::string& server, const CredentialOptions& options);

}  // namespace shale

#endif  // SHALE_REGISTRY_LOGIN_H_
