#include "registry/registries_conf.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>

#include "base/fd.h"
#include "registry/internal/toml_lite.h"

namespace shale {
namespace {

using json = nlohmann::json;

bool FileExists(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::vector<std::string> DropIns(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n.size() > 5 && n.compare(n.size() - 5, 5, ".conf") == 0) out.push_back(dir + "/" + n);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

std::string Home() {
  const char* h = std::getenv("HOME");
  return h ? h : "";
}

std::string StripScheme(std::string s) {
  for (const char* scheme : {"http://", "https://"})
    if (s.rfind(scheme, 0) == 0) s = s.substr(std::string(scheme).size());
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

// Does the entry's prefix match name ("domain/path")?
bool PrefixMatches(const std::string& prefix, const std::string& name, const std::string& domain) {
  if (prefix.rfind("*.", 0) == 0) {
    std::string suffix = prefix.substr(1);  // ".example.com"
    std::string host = domain.substr(0, domain.find(':'));
    return host.size() > suffix.size() && host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0;
  }
  if (name.rfind(prefix, 0) != 0) return false;
  return name.size() == prefix.size() || name[prefix.size()] == '/' || name[prefix.size()] == ':' ||
         name[prefix.size()] == '@';
}

size_t PrefixWeight(const std::string& prefix) {
  return prefix.rfind("*.", 0) == 0 ? 0 : prefix.size() + 1;
}

Result<Reference> Rewrite(const Reference& ref, const std::string& prefix, const std::string& location) {
  if (prefix.rfind("*.", 0) == 0 || location.empty() || location == prefix) return ref;
  std::string name = ref.Name();
  std::string text = location + name.substr(prefix.size());
  if (!ref.tag.empty()) text += ":" + ref.tag;
  if (ref.digest.valid()) text += "@" + ref.digest.ToString();
  auto out = ParseReference(text);
  if (!out.ok()) return out.status().Annotate("rewriting " + ref.ToString() + " for location " + location);
  return out;
}

Status FromJson(const json& doc, RegistriesConf& conf) {
  if (auto it = doc.find("unqualified-search-registries"); it != doc.end()) {
    if (!it->is_array()) return InvalidArgumentError("unqualified-search-registries must be an array");
    conf.search_registries_set = true;
    for (const auto& v : *it) {
      if (!v.is_string()) return InvalidArgumentError("unqualified-search-registries must hold strings");
      conf.search_registries.push_back(v.get<std::string>());
    }
  }
  if (auto it = doc.find("aliases"); it != doc.end()) {
    if (!it->is_object()) return InvalidArgumentError("[aliases] must be a table");
    for (const auto& [k, v] : it->items()) {
      if (!v.is_string()) return InvalidArgumentError("alias \"" + k + "\" must be a string");
      conf.aliases[k] = v.get<std::string>();
    }
  }
  auto get_bool = [](const json& t, const char* key, bool& out) -> Status {
    if (auto it = t.find(key); it != t.end()) {
      if (!it->is_boolean()) return InvalidArgumentError(std::string(key) + " must be true or false");
      out = it->get<bool>();
    }
    return Status::Ok();
  };
  auto get_str = [](const json& t, const char* key, std::string& out) -> Status {
    if (auto it = t.find(key); it != t.end()) {
      if (!it->is_string()) return InvalidArgumentError(std::string(key) + " must be a string");
      out = it->get<std::string>();
    }
    return Status::Ok();
  };
  if (auto it = doc.find("registry"); it != doc.end()) {
    if (!it->is_array()) return InvalidArgumentError("registry must be [[registry]] tables");
    for (const auto& t : *it) {
      if (!t.is_object()) return InvalidArgumentError("registry must be [[registry]] tables");
      RegistryEntry e;
      RETURN_IF_ERROR(get_str(t, "prefix", e.prefix));
      RETURN_IF_ERROR(get_str(t, "location", e.location));
      RETURN_IF_ERROR(get_bool(t, "insecure", e.insecure));
      RETURN_IF_ERROR(get_bool(t, "blocked", e.blocked));
      RETURN_IF_ERROR(get_bool(t, "mirror-by-digest-only", e.mirror_by_digest_only));
      e.prefix = StripScheme(e.prefix);
      e.location = StripScheme(e.location);
      if (e.prefix.empty()) e.prefix = e.location;
      if (e.prefix.empty()) return InvalidArgumentError("[[registry]] needs a location or prefix");
      if (e.location.empty() && e.prefix.rfind("*.", 0) != 0) e.location = e.prefix;
      if (auto m = t.find("mirror"); m != t.end()) {
        if (!m->is_array()) return InvalidArgumentError("mirror must be [[registry.mirror]] tables");
        for (const auto& mt : *m) {
          RegistryMirror mirror;
          RETURN_IF_ERROR(get_str(mt, "location", mirror.location));
          RETURN_IF_ERROR(get_bool(mt, "insecure", mirror.insecure));
          RETURN_IF_ERROR(get_str(mt, "pull-from-mirror", mirror.pull_from_mirror));
          mirror.location = StripScheme(mirror.location);
          if (mirror.location.empty()) return InvalidArgumentError("[[registry.mirror]] needs a location");
          e.mirrors.push_back(std::move(mirror));
        }
      }
      conf.registries.push_back(std::move(e));
    }
  }
  // Version 1.
  if (auto it = doc.find("registries"); it != doc.end() && it->is_object()) {
    for (const char* kind : {"search", "insecure", "block"}) {
      auto t = it->find(kind);
      if (t == it->end() || !t->is_object()) continue;
      auto list = t->find("registries");
      if (list == t->end() || !list->is_array()) continue;
      for (const auto& v : *list) {
        if (!v.is_string()) return InvalidArgumentError("registries lists must hold strings");
        std::string host = StripScheme(v.get<std::string>());
        if (std::string(kind) == "search") {
          conf.search_registries_set = true;
          conf.search_registries.push_back(host);
          continue;
        }
        RegistryEntry e;
        e.prefix = e.location = host;
        (std::string(kind) == "insecure" ? e.insecure : e.blocked) = true;
        conf.registries.push_back(std::move(e));
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Result<RegistriesConf> RegistriesConf::Parse(std::string_view toml) {
  ASSIGN_OR_RETURN(json doc, internal::ParseTomlLite(toml));
  RegistriesConf conf;
  RETURN_IF_ERROR(FromJson(doc, conf));
  return conf;
}

Result<RegistriesConf> RegistriesConf::LoadFile(const std::string& path) {
  auto text = ReadFileCapped(path, internal::kMaxTomlBytes);
  if (!text.ok()) return text.status().Annotate("reading " + path);
  auto conf = Parse(*text);
  if (!conf.ok()) return conf.status().Annotate(path);
  return conf;
}

Result<RegistriesConf> RegistriesConf::Load() {
  RegistriesConf conf;
  if (const char* env = std::getenv("CONTAINERS_REGISTRIES_CONF"); env && *env) {
    if (!FileExists(env)) return conf;
    return LoadFile(env);
  }
  std::string home = Home();
  std::string user = home.empty() ? "" : home + "/.config/containers/registries.conf";
  std::vector<std::string> files;
  if (!user.empty() && FileExists(user)) {
    files.push_back(user);
  } else if (FileExists("/etc/containers/registries.conf")) {
    files.push_back("/etc/containers/registries.conf");
  }
  for (auto& f : DropIns("/etc/containers/registries.conf.d")) files.push_back(f);
  if (!home.empty())
    for (auto& f : DropIns(home + "/.config/containers/registries.conf.d")) files.push_back(f);
  for (const auto& f : files) {
    ASSIGN_OR_RETURN(RegistriesConf one, LoadFile(f));
    conf.Merge(one);
  }
  return conf;
}

void RegistriesConf::Merge(const RegistriesConf& later) {
  if (later.search_registries_set) {
    search_registries = later.search_registries;
    search_registries_set = true;
  }
  for (const auto& [k, v] : later.aliases) aliases[k] = v;
  for (const auto& e : later.registries) {
    auto it = std::find_if(registries.begin(), registries.end(),
                           [&](const RegistryEntry& o) { return o.prefix == e.prefix; });
    if (it != registries.end()) {
      *it = e;
    } else {
      registries.push_back(e);
    }
  }
}

const RegistryEntry* RegistriesConf::Find(const Reference& ref) const {
  const RegistryEntry* best = nullptr;
  size_t best_weight = 0;
  std::string name = ref.Name();
  for (const auto& e : registries) {
    if (!PrefixMatches(e.prefix, name, ref.domain)) continue;
    size_t w = PrefixWeight(e.prefix);
    if (!best || w > best_weight) {
      best = &e;
      best_weight = w;
    }
  }
  return best;
}

bool RegistriesConf::IsInsecure(const Reference& ref) const {
  const RegistryEntry* e = Find(ref);
  return e && e->insecure;
}

bool RegistriesConf::IsBlocked(const Reference& ref) const {
  const RegistryEntry* e = Find(ref);
  return e && e->blocked;
}

Result<std::vector<PullSource>> RegistriesConf::PullSources(const Reference& ref) const {
  const RegistryEntry* e = Find(ref);
  std::vector<PullSource> out;
  if (!e) {
    out.push_back({ref, false, false});
    return out;
  }
  if (e->blocked) return PermissionDeniedError("registry " + ref.domain + " is blocked in registries.conf");
  bool by_digest = ref.digest.valid();
  for (const auto& m : e->mirrors) {
    std::string mode = m.pull_from_mirror.empty() ? (e->mirror_by_digest_only ? "digest-only" : "all")
                                                  : m.pull_from_mirror;
    if (mode == "digest-only" && !by_digest) continue;
    if (mode == "tag-only" && by_digest) continue;
    ASSIGN_OR_RETURN(Reference r, Rewrite(ref, e->prefix, m.location));
    out.push_back({r, m.insecure, true});
  }
  ASSIGN_OR_RETURN(Reference primary, Rewrite(ref, e->prefix, e->location));
  out.push_back({primary, e->insecure, false});
  return out;
}

Result<PullSource> RegistriesConf::PushDestination(const Reference& ref) const {
  const RegistryEntry* e = Find(ref);
  if (!e) return PullSource{ref, false, false};
  if (e->blocked) return PermissionDeniedError("registry " + ref.domain + " is blocked in registries.conf");
  ASSIGN_OR_RETURN(Reference r, Rewrite(ref, e->prefix, e->location));
  return PullSource{r, e->insecure, false};
}

Result<Reference> ResolveShortName(std::string_view text, const RegistriesConf& conf) {
  if (HasExplicitDomain(text)) return ParseReference(text);
  ASSIGN_OR_RETURN(Reference parsed, ParseReference(text));  // validates
  // The short name itself, without tag/digest, as typed.
  std::string_view base = text.substr(0, text.find('@'));
  if (size_t colon = base.rfind(':'); colon != std::string_view::npos) base = base.substr(0, colon);
  auto with_suffix = [&](std::string name) {
    if (!parsed.tag.empty()) name += ":" + parsed.tag;
    if (parsed.digest.valid()) name += "@" + parsed.digest.ToString();
    return name;
  };
  if (auto it = conf.aliases.find(std::string(base)); it != conf.aliases.end()) {
    auto r = ParseReference(with_suffix(it->second));
    if (!r.ok()) return r.status().Annotate("alias \"" + it->first + "\" in registries.conf");
    return r;
  }
  if (!conf.search_registries_set || conf.search_registries.empty()) return parsed;
  std::vector<Reference> candidates;
  for (const auto& reg : conf.search_registries) {
    auto r = ParseReference(with_suffix(reg + "/" + std::string(base)));
    if (r.ok()) candidates.push_back(*r);
  }
  if (candidates.size() == 1) {
    candidates[0].short_name = true;
    return candidates[0];
  }
  if (candidates.empty())
    return InvalidArgumentError("short name \"" + std::string(text) +
                                "\" does not resolve: no usable unqualified-search-registries");
  std::string list;
  for (const auto& c : candidates) list += (list.empty() ? "" : ", ") + c.ToString();
  return InvalidArgumentError("short name \"" + std::string(text) + "\" is ambiguous: it could be " + list +
                              "; use a fully-qualified name (e.g. " + candidates[0].ToString() +
                              ") or add an alias in registries.conf");
}

}  // namespace shale
