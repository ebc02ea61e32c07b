#include "registry/credentials.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <poll.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "base/fd.h"

extern char** environ;

namespace shale {
namespace {

using json = nlohmann::json;
constexpr size_t kMaxAuthFile = 4 << 20;
constexpr size_t kMaxHelperOutput = 1 << 20;

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// "https://index.docker.io/v1/" -> "docker.io"; "http://h:5000" -> "h:5000".
std::string NormalizeKey(std::string key) {
  bool had_scheme = false;
  for (const char* scheme : {"http://", "https://"}) {
    if (key.rfind(scheme, 0) == 0) {
      key = key.substr(std::string(scheme).size());
      had_scheme = true;
    }
  }
  if (had_scheme) key = key.substr(0, key.find('/'));  // legacy keys carry a path like /v1/
  while (!key.empty() && key.back() == '/') key.pop_back();
  if (key == "index.docker.io" || key == "registry-1.docker.io") key = "docker.io";
  return key;
}

Result<json> ReadAuthJson(const std::string& path, bool* exists) {
  *exists = false;
  auto text = ReadFileCapped(path, kMaxAuthFile);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) return json::object();
    return text.status().Annotate("reading auth file " + path);
  }
  *exists = true;
  if (text->find_first_not_of(" \t\r\n") == std::string::npos) return json::object();
  json doc = json::parse(*text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return InvalidArgumentError("auth file " + path + " is not a JSON object");
  return doc;
}

Result<std::optional<Credentials>> EntryCredentials(const json& entry, const std::string& path,
                                                    const std::string& key) {
  if (!entry.is_object()) return InvalidArgumentError("auth file " + path + ": entry for " + key + " is not an object");
  Credentials c;
  if (auto it = entry.find("auth"); it != entry.end() && it->is_string() && !it->get<std::string>().empty()) {
    auto decoded = Base64Decode(it->get<std::string>());
    if (!decoded.ok()) return InvalidArgumentError("auth file " + path + ": entry for " + key + " has a bad \"auth\" value");
    size_t colon = decoded->find(':');
    if (colon == std::string::npos)
      return InvalidArgumentError("auth file " + path + ": entry for " + key + " has no ':' in \"auth\"");
    c.username = decoded->substr(0, colon);
    c.password = decoded->substr(colon + 1);
  }
  if (auto it = entry.find("identitytoken"); it != entry.end() && it->is_string())
    c.identity_token = it->get<std::string>();
  if (c.empty()) return std::optional<Credentials>();
  return std::optional<Credentials>(c);
}

// "auths" lookup: most specific key first ("host/a/b", "host/a", "host").
Result<std::optional<Credentials>> FromAuths(const json& doc, const std::string& path,
                                             const std::string& registry, const std::string& repository) {
  auto auths = doc.find("auths");
  if (auths == doc.end() || !auths->is_object()) return std::optional<Credentials>();
  std::vector<std::string> wanted;
  std::string repo = repository;
  while (!repo.empty()) {
    wanted.push_back(registry + "/" + repo);
    size_t slash = repo.rfind('/');
    repo = slash == std::string::npos ? "" : repo.substr(0, slash);
  }
  wanted.push_back(registry);
  for (const auto& w : wanted) {
    for (const auto& [k, v] : auths->items()) {
      if (NormalizeKey(k) == w) return EntryCredentials(v, path, w);
    }
  }
  return std::optional<Credentials>();
}

std::string HelperServer(const std::string& registry) {
  return registry == "docker.io" ? "https://index.docker.io/v1/" : registry;
}

}  // namespace

std::string Base64Encode(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(data.data()), static_cast<int>(data.size()));
  out.resize(n);
  return out;
}

Result<std::string> Base64Decode(std::string_view text) {
  std::string clean;
  for (char c : text)
    if (c != '\n' && c != '\r' && c != ' ') clean += c;
  if (clean.size() % 4 != 0) return InvalidArgumentError("bad base64 length");
  std::string out(clean.size() / 4 * 3 + 1, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(clean.data()), static_cast<int>(clean.size()));
  if (n < 0) return InvalidArgumentError("bad base64");
  size_t pad = 0;
  if (!clean.empty() && clean.back() == '=') ++pad;
  if (clean.size() > 1 && clean[clean.size() - 2] == '=') ++pad;
  out.resize(n - pad);
  return out;
}

Result<Credentials> ParseCredsFlag(std::string_view text) {
  if (text.empty()) return InvalidArgumentError("--creds: empty value");
  Credentials c;
  size_t colon = text.find(':');
  c.username = std::string(text.substr(0, colon));
  if (colon != std::string_view::npos) c.password = std::string(text.substr(colon + 1));
  if (c.username.empty()) return InvalidArgumentError("--creds: empty username");
  return c;
}

std::string AuthFileWritePath(const CredentialOptions& options) {
  if (!options.authfile.empty()) return options.authfile;
  if (std::string f = Env("REGISTRY_AUTH_FILE"); !f.empty()) return f;
  if (std::string r = Env("XDG_RUNTIME_DIR"); !r.empty()) return r + "/containers/auth.json";
  return "/run/containers/" + std::to_string(::getuid()) + "/auth.json";
}

std::vector<std::string> AuthFileReadPaths(const CredentialOptions& options) {
  if (!options.authfile.empty()) return {options.authfile};
  if (std::string f = Env("REGISTRY_AUTH_FILE"); !f.empty()) return {f};
  std::vector<std::string> out{AuthFileWritePath(options)};
  std::string home = Env("HOME");
  if (!home.empty()) out.push_back(home + "/.config/containers/auth.json");
  if (std::string dc = Env("DOCKER_CONFIG"); !dc.empty()) {
    out.push_back(dc + "/config.json");
  } else if (!home.empty()) {
    out.push_back(home + "/.docker/config.json");
  }
  return out;
}

Result<std::optional<Credentials>> ReadAuthFileEntry(const std::string& path, const std::string& key) {
  bool exists;
  ASSIGN_OR_RETURN(json doc, ReadAuthJson(path, &exists));
  std::string registry = key.substr(0, key.find('/'));
  std::string repo = key.find('/') == std::string::npos ? "" : key.substr(key.find('/') + 1);
  return FromAuths(doc, path, registry, repo);
}

Result<std::optional<Credentials>> LookupCredentials(const CredentialOptions& options,
                                                     const std::string& registry,
                                                     const std::string& repository) {
  if (!options.creds.empty()) {
    ASSIGN_OR_RETURN(Credentials c, ParseCredsFlag(options.creds));
    return std::optional<Credentials>(c);
  }
  for (const auto& path : AuthFileReadPaths(options)) {
    bool exists;
    ASSIGN_OR_RETURN(json doc, ReadAuthJson(path, &exists));
    if (!exists) continue;
    if (auto h = doc.find("credHelpers"); h != doc.end() && h->is_object()) {
      for (const auto& [k, v] : h->items()) {
        if (NormalizeKey(k) == registry && v.is_string()) return RunCredentialHelper(v.get<std::string>(), HelperServer(registry));
      }
    }
    ASSIGN_OR_RETURN(auto found, FromAuths(doc, path, registry, repository));
    if (found) return found;
    if (auto s = doc.find("credsStore"); s != doc.end() && s->is_string() && !s->get<std::string>().empty()) {
      ASSIGN_OR_RETURN(auto helped, RunCredentialHelper(s->get<std::string>(), HelperServer(registry)));
      if (helped) return helped;
    }
  }
  return std::optional<Credentials>();
}

Status StoreCredentials(const std::string& path, const std::string& key, const Credentials& creds) {
  bool exists;
  ASSIGN_OR_RETURN(json doc, ReadAuthJson(path, &exists));
  if (!doc.contains("auths") || !doc["auths"].is_object()) doc["auths"] = json::object();
  // Replace any legacy spelling of the same key.
  std::vector<std::string> drop;
  for (const auto& [k, v] : doc["auths"].items())
    if (NormalizeKey(k) == key) drop.push_back(k);
  for (const auto& k : drop) doc["auths"].erase(k);
  doc["auths"][key] = json{{"auth", Base64Encode(creds.username + ":" + creds.password)}};
  size_t slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) RETURN_IF_ERROR(MakeDirs(path.substr(0, slash), 0700));
  return WriteFileAtomic(path, doc.dump(1, '\t') + "\n", 0600);
}

Status RemoveCredentials(const std::string& path, const std::string& key) {
  bool exists;
  ASSIGN_OR_RETURN(json doc, ReadAuthJson(path, &exists));
  std::vector<std::string> drop;
  if (doc.contains("auths") && doc["auths"].is_object())
    for (const auto& [k, v] : doc["auths"].items())
      if (NormalizeKey(k) == key) drop.push_back(k);
  if (drop.empty()) return NotFoundError("not logged into " + key);
  for (const auto& k : drop) doc["auths"].erase(k);
  return WriteFileAtomic(path, doc.dump(1, '\t') + "\n", 0600);
}

Status RemoveAllCredentials(const std::string& path) {
  bool exists;
  ASSIGN_OR_RETURN(json doc, ReadAuthJson(path, &exists));
  if (!exists) return Status::Ok();
  doc["auths"] = json::object();
  return WriteFileAtomic(path, doc.dump(1, '\t') + "\n", 0600);
}

Result<std::optional<Credentials>> RunCredentialHelper(const std::string& helper, const std::string& server) {
  for (char c : helper)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return InvalidArgumentError("bad credential helper name \"" + helper + "\"");
  std::string prog = "docker-credential-" + helper;
  std::signal(SIGPIPE, SIG_IGN);  // a helper that exits early must not kill us
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return ErrnoToStatus(errno, "pipe");
  if (::pipe2(out, O_CLOEXEC) != 0) {
    ::close(in[0]);
    ::close(in[1]);
    return ErrnoToStatus(errno, "pipe");
  }
  UniqueFd in_r(in[0]), in_w(in[1]), out_r(out[0]), out_w(out[1]);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in_r.get(), 0);
  posix_spawn_file_actions_adddup2(&fa, out_w.get(), 1);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  char* argv[] = {prog.data(), const_cast<char*>("get"), nullptr};
  pid_t pid;
  int rc = posix_spawnp(&pid, prog.c_str(), &fa, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return ErrnoToStatus(rc, "running credential helper " + prog);
  in_r.Reset();
  out_w.Reset();
  Status ws = WriteAll(in_w.get(), server);
  in_w.Reset();
  auto output = ReadAll(out_r.get(), kMaxHelperOutput);
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (!output.ok()) return output.status().Annotate("reading from " + prog);
  bool exited_ok = WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0;
  if (!exited_ok) {
    if (output->find("credentials not found") != std::string::npos) return std::optional<Credentials>();
    return UnavailableError(prog + " get failed (exit status " +
                            std::to_string(WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1) + ")");
  }
  (void)ws;
  json doc = json::parse(*output, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return InvalidArgumentError(prog + " get: output is not a JSON object");
  Credentials c;
  if (auto u = doc.find("Username"); u != doc.end() && u->is_string()) c.username = u->get<std::string>();
  if (auto s = doc.find("Secret"); s != doc.end() && s->is_string()) c.password = s->get<std::string>();
  if (c.username == "<token>") {
    c.identity_token = c.password;
    c.username.clear();
    c.password.clear();
  }
  if (c.empty()) return std::optional<Credentials>();
  return std::optional<Credentials>(c);
}

}  // namespace shale
