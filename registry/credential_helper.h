// Docker credential helpers (docker-credential-helpers protocol): a program
// `docker-credential-NAME` on PATH, run with one action argument.
//   get    stdin: server             stdout: {"ServerURL","Username","Secret"}
//   store  stdin: {"ServerURL","Username","Secret"}
//   erase  stdin: server
// A helper that fails exits non-zero with its reason on stdout; the reason
// "credentials not found…" means it holds nothing for that server. Username
// "<token>" means Secret is an identity token (OAuth2 refresh token).
//
// Secrets travel only through the helper's stdin/stdout: never on its command
// line, and never in a Status message (a helper's reason is quoted only when
// it does not contain the secret). Helper names are [A-Za-z0-9._-]+.
#ifndef SHALE_REGISTRY_CREDENTIAL_HELPER_H_
#define SHALE_REGISTRY_CREDENTIAL_HELPER_H_

#include <optional>
#include <string>

#include "base/status.h"
#include "registry/credentials.h"

namespace shale {

// The server name a helper is asked about for registry "host[:port]"
// (docker.io → "https://index.docker.io/v1/", as docker stores it).
std::string CredentialHelperServer(const std::string& registry);

// `get`: nullopt when the helper says it has nothing. Errors: InvalidArgument
// (bad helper name, unparsable output), NotFound (helper not on PATH),
// Unavailable (the helper failed).
Result<std::optional<Credentials>> RunCredentialHelper(const std::string& helper, const std::string& server);

// `store`: on success the helper holds creds for server. An identity token is
// stored as Username "<token>" with the token as Secret. Errors as above.
Status StoreInCredentialHelper(const std::string& helper, const std::string& server, const Credentials& creds);

// `erase`: NotFound "… not found" when the helper held nothing for server;
// other errors as above.
Status EraseFromCredentialHelper(const std::string& helper, const std::string& server);

}  // namespace shale

#endif  // SHALE_REGISTRY_CREDENTIAL_HELPER_H_
