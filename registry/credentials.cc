#include "registry/credentials.h"

#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "base/fd.h"
#include "registry/credential_helper.h"

namespace shale {
namespace {

using json = nlohmann::json;
constexpr size_t kMaxAuthFile = 4 << 20;

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
  if (!c.identity_token.empty() && c.username == "<token>") {  // docker's marker, not a user
    c.username.clear();
    c.password.clear();
  }
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

// The helper that holds host's credentials per this file; `store` tells
// whether it is the credsStore (else credHelpers[host]). "" when none.
std::string HelperFor(const json& doc, const std::string& host, bool* is_store) {
  *is_store = false;
  if (auto h = doc.find("credHelpers"); h != doc.end() && h->is_object())
    for (const auto& [k, v] : h->items())
      if (NormalizeKey(k) == host && v.is_string() && !v.get<std::string>().empty()) return v.get<std::string>();
  if (auto st = doc.find("credsStore"); st != doc.end() && st->is_string() && !st->get<std::string>().empty()) {
    *is_store = true;
    return st->get<std::string>();
  }
  return "";
}

// Removes every auths spelling of key; true when one was there.
bool DropAuthsEntries(json& doc, const std::string& key) {
  if (!doc.contains("auths") || !doc["auths"].is_object()) return false;
  std::vector<std::string> drop;
  for (const auto& [k, v] : doc["auths"].items())
    if (NormalizeKey(k) == key) drop.push_back(k);
  for (const auto& k : drop) doc["auths"].erase(k);
  return !drop.empty();
}

Status WriteAuthJson(const std::string& path, const json& doc) {
  size_t slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) RETURN_IF_ERROR(MakeDirs(path.substr(0, slash), 0700));
  return WriteFileAtomic(path, doc.dump(1, '\t') + "\n", 0600);
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
        if (NormalizeKey(k) == registry && v.is_string()) return RunCredentialHelper(v.get<std::string>(), CredentialHelperServer(registry));
      }
    }
    ASSIGN_OR_RETURN(auto found, FromAuths(doc, path, registry, repository));
    if (found) return found;
    if (auto s = doc.find("credsStore"); s != doc.end() && s->is_string() && !s->get<std::string>().empty()) {
      ASSIGN_OR_RETURN(auto helped, RunCredentialHelper(s->get<std::string>(), CredentialHelperServer(registry)));
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

Result<std::string> SaveLoginCredentials(const std::string& path, const std::string& key, const Credentials& creds) {
  bool exists, is_store;
  ASSIGN_OR_RETURN(json doc, ReadAuthJson(path, &exists));
  std::string host = key.substr(0, key.find('/'));
  std::string helper = HelperFor(doc, host, &is_store);
  if (helper.empty()) {
    RETURN_IF_ERROR(StoreCredentials(path, key, creds));
    return path;
  }
  if (key != host)
    return InvalidArgumentError("credential helper " + helper + " (" + path + ") cannot hold credentials for " + key +
                                ": helpers hold one login per registry host");
  RETURN_IF_ERROR(StoreInCredentialHelper(helper, CredentialHelperServer(host), creds)
                      .Annotate("storing credentials for " + host));
  bool had = DropAuthsEntries(doc, key);
  if (is_store) {
    if (!doc.contains("auths") || !doc["auths"].is_object()) doc["auths"] = json::object();
    doc["auths"][key] = json::object();
  }
  if (had || is_store) RETURN_IF_ERROR(WriteAuthJson(path, doc));
  return "credential helper " + helper;
}

Status EraseLoginCredentials(const std::string& path, const std::string& key) {
  bool exists, is_store;
  ASSIGN_OR_RETURN(json doc, ReadAuthJson(path, &exists));
  std::string host = key.substr(0, key.find('/'));
  std::string helper = key == host ? HelperFor(doc, host, &is_store) : "";
  bool found = false;
  if (!helper.empty()) {
    Status s = EraseFromCredentialHelper(helper, CredentialHelperServer(host));
    if (s.ok()) {
      found = true;
    } else if (s.code() != StatusCode::kNotFound) {
      return s.Annotate("removing credentials for " + host);
    }
  }
  if (DropAuthsEntries(doc, key)) {
    found = true;
    RETURN_IF_ERROR(WriteAuthJson(path, doc));
  }
  if (!found) return NotFoundError("not logged into " + key);
  return Status::Ok();
}

Status EraseAllLoginCredentials(const std::string& path) {
  bool exists;
  ASSIGN_OR_RETURN(json doc, ReadAuthJson(path, &exists));
  if (!exists) return Status::Ok();
  std::vector<std::pair<std::string, std::string>> erase;  // helper, host
  if (auto h = doc.find("credHelpers"); h != doc.end() && h->is_object())
    for (const auto& [k, v] : h->items())
      if (v.is_string() && !v.get<std::string>().empty()) erase.emplace_back(v.get<std::string>(), NormalizeKey(k));
  if (auto st = doc.find("credsStore"); st != doc.end() && st->is_string() && !st->get<std::string>().empty()) {
    if (auto a = doc.find("auths"); a != doc.end() && a->is_object())
      for (const auto& [k, v] : a->items()) {
        std::string host = NormalizeKey(k);
        bool is_store;
        if (host.find('/') == std::string::npos && HelperFor(doc, host, &is_store) == st->get<std::string>() && is_store)
          erase.emplace_back(st->get<std::string>(), host);
      }
  }
  Status first;
  for (const auto& [helper, host] : erase) {
    Status s = EraseFromCredentialHelper(helper, CredentialHelperServer(host));
    if (!s.ok() && s.code() != StatusCode::kNotFound && first.ok())
      first = s.Annotate("removing credentials for " + host);
  }
  RETURN_IF_ERROR(RemoveAllCredentials(path));
  return first;
}

}  // namespace shale
