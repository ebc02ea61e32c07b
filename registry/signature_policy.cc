#include "registry/signature_policy.h"

#include <unistd.h>

#include <cstdlib>

#include <nlohmann/json.hpp>

#include "base/fd.h"

namespace shale {
namespace {

constexpr size_t kMaxPolicyBytes = 1 << 20;

bool Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

Result<std::vector<std::string>> Requirements(const nlohmann::json& list, const std::string& where,
                                              const std::string& file) {
  if (!list.is_array()) return InvalidArgumentError(file + ": " + where + " is not a list of requirements");
  std::vector<std::string> out;
  for (const auto& req : list) {
    if (!req.is_object() || !req.contains("type") || !req["type"].is_string())
      return InvalidArgumentError(file + ": a requirement of " + where + " has no \"type\"");
    std::string type = req["type"].get<std::string>();
    if (type != "insecureAcceptAnything" && type != "reject" && type != "signedBy" && type != "sigstoreSigned")
      return InvalidArgumentError(file + ": unknown policy requirement type \"" + type + "\" in " + where);
    out.push_back(std::move(type));
  }
  if (out.empty()) return InvalidArgumentError(file + ": " + where + " has no requirements");
  return out;
}

// The docker-transport scopes that may name `ref`, most specific first.
std::vector<std::string> CandidateScopes(const Reference& ref) {
  std::vector<std::string> scopes;
  if (ref.digest.valid()) scopes.push_back(ref.Name() + "@" + ref.digest.ToString());
  if (!ref.tag.empty()) scopes.push_back(ref.Name() + ":" + ref.tag);
  std::string name = ref.Name();
  while (true) {
    scopes.push_back(name);
    size_t slash = name.rfind('/');
    if (slash == std::string::npos) break;
    name.resize(slash);
  }
  std::string host = ref.Host();
  for (size_t dot = host.find('.'); dot != std::string::npos; dot = host.find('.', dot + 1))
    scopes.push_back("*" + host.substr(dot));
  return scopes;
}

}  // namespace

Result<SignaturePolicy> SignaturePolicy::Parse(std::string_view json, const std::string& file) {
  auto doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return InvalidArgumentError(file + ": not a JSON object");
  SignaturePolicy p;
  p.file_ = file;
  if (!doc.contains("default")) return InvalidArgumentError(file + ": no \"default\" policy");
  ASSIGN_OR_RETURN(p.default_, Requirements(doc["default"], "\"default\"", file));
  p.has_default_ = true;
  if (doc.contains("transports")) {
    const auto& transports = doc["transports"];
    if (!transports.is_object()) return InvalidArgumentError(file + ": \"transports\" is not an object");
    if (transports.contains("docker")) {
      const auto& docker = transports["docker"];
      if (!docker.is_object()) return InvalidArgumentError(file + ": \"transports\".\"docker\" is not an object");
      for (const auto& [scope, list] : docker.items()) {
        ASSIGN_OR_RETURN(p.docker_scopes_[scope], Requirements(list, "docker scope \"" + scope + "\"", file));
      }
    }
  }
  return p;
}

Result<SignaturePolicy> SignaturePolicy::Load(const std::string& explicit_path) {
  std::vector<std::string> paths;
  if (!explicit_path.empty()) {
    if (!Exists(explicit_path)) return NotFoundError("signature policy " + explicit_path + " does not exist");
    paths.push_back(explicit_path);
  } else {
    if (const char* home = std::getenv("HOME"); home && *home)
      paths.push_back(std::string(home) + "/.config/containers/policy.json");
    paths.push_back("/etc/containers/policy.json");
  }
  for (const std::string& path : paths) {
    if (!Exists(path)) continue;
    auto text = ReadFileCapped(path, kMaxPolicyBytes);
    if (!text.ok()) return text.status().Annotate("signature policy " + path);
    return Parse(*text, path);
  }
  return SignaturePolicy();
}

Status SignaturePolicy::CheckPull(const Reference& ref) const {
  if (!has_default_) return Status::Ok();
  const std::vector<std::string>* reqs = &default_;
  std::string scope = "default";
  for (const std::string& candidate : CandidateScopes(ref)) {
    if (auto it = docker_scopes_.find(candidate); it != docker_scopes_.end()) {
      reqs = &it->second;
      scope = "docker scope \"" + candidate + "\"";
      break;
    }
  }
  if (scope == "default") {
    if (auto it = docker_scopes_.find(""); it != docker_scopes_.end()) {
      reqs = &it->second;
      scope = "the docker transport's default";
    }
  }
  for (const std::string& type : *reqs) {
    if (type == "reject")
      return PermissionDeniedError(ref.ToString() + " is rejected by the signature policy " + file_ + " (" + scope +
                                   ")");
    if (type != "insecureAcceptAnything")
      return UnimplementedError("the signature policy " + file_ + " requires " + type + " for " + ref.ToString() +
                                " (" + scope + "); shale cannot verify signatures yet");
  }
  return Status::Ok();
}

}  // namespace shale
