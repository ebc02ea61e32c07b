#include "registry/login.h"

namespace shale {

Result<std::string> NormalizeLoginServer(const std::string& server) {
  std::string s = server;
  for (const char* scheme : {"http://", "https://"})
    if (s.rfind(scheme, 0) == 0) s = s.substr(std::string(scheme).size());
  while (!s.empty() && s.back() == '/') s.pop_back();
  if (s.size() > 3 && s.compare(s.size() - 3, 3, "/v1") == 0) s.resize(s.size() - 3);
  if (s.size() > 3 && s.compare(s.size() - 3, 3, "/v2") == 0) s.resize(s.size() - 3);
  if (s.empty()) return InvalidArgumentError("no registry given");
  std::string host = s.substr(0, s.find('/'));
  if (host == "index.docker.io" || host == "registry-1.docker.io") s = "docker.io" + s.substr(host.size());
  for (char c : s)
    if (static_cast<unsigned char>(c) <= ' ' || c == '@' || c == '?' || c == '#')
      return InvalidArgumentError("invalid registry \"" + server + "\"");
  return s;
}

Result<std::string> Login(const std::string& server, const Credentials& credentials, const RegistryOptions& options) {
  ASSIGN_OR_RETURN(std::string key, NormalizeLoginServer(server));
  std::string host = key.substr(0, key.find('/'));
  std::string path = key.find('/') == std::string::npos ? "" : key.substr(key.find('/') + 1);
  if (credentials.username.empty()) return InvalidArgumentError("logging in to " + host + ": no username given");
  if (credentials.password.empty()) return InvalidArgumentError("logging in to " + host + ": no password given");
  ASSIGN_OR_RETURN(auto session, RegistrySession::Create(options));
  Reference probe;
  probe.domain = host;
  probe.path = path.empty() ? "x" : path;
  bool insecure = session->conf().IsInsecure(probe);
  RegistryOptions o = options;
  o.credentials.creds = credentials.username + ":" + credentials.password;
  ASSIGN_OR_RETURN(auto checked, RegistrySession::Create(o));
  ASSIGN_OR_RETURN(auto client, checked->ClientFor(host, path, insecure));
  RETURN_IF_ERROR(client->CheckLogin());
  return SaveLoginCredentials(AuthFileWritePath(options.credentials), key, credentials);
}

Status Logout(const std::string& server, bool all, const CredentialOptions& options) {
  std::string file = AuthFileWritePath(options);
  if (all) return EraseAllLoginCredentials(file);
  ASSIGN_OR_RETURN(std::string key, NormalizeLoginServer(server));
  return EraseLoginCredentials(file, key);
}

Result<std::string> GetLogin(const std::string& server, const CredentialOptions& options) {
  ASSIGN_OR_RETURN(std::string key, NormalizeLoginServer(server));
  std::string host = key.substr(0, key.find('/'));
  std::string path = key.find('/') == std::string::npos ? "" : key.substr(key.find('/') + 1);
  CredentialOptions o = options;
  o.creds.clear();
  ASSIGN_OR_RETURN(auto creds, LookupCredentials(o, host, path));
  if (!creds || creds->username.empty()) return NotFoundError("not logged into " + key);
  return creds->username;
}

}  // namespace shale
