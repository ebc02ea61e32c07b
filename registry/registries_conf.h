// containers-registries.conf(5), the parts shale uses.
//
// Files read by Load(): $CONTAINERS_REGISTRIES_CONF alone when set; otherwise
// ~/.config/containers/registries.conf if it exists, else
// /etc/containers/registries.conf, then the drop-ins
// /etc/containers/registries.conf.d/*.conf and
// ~/.config/containers/registries.conf.d/*.conf in name order (a later file's
// unqualified-search-registries replaces the earlier list, its [[registry]]
// entries replace ones with the same prefix, its aliases win).
//
// Version 2 keys: unqualified-search-registries, [[registry]] prefix /
// location / insecure / blocked / mirror-by-digest-only, [[registry.mirror]]
// location / insecure / pull-from-mirror, [aliases]. Version 1 tables
// ([registries.search|insecure|block] registries = [...]) are mapped onto those.
#ifndef SHALE_REGISTRY_REGISTRIES_CONF_H_
#define SHALE_REGISTRY_REGISTRIES_CONF_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "registry/reference.h"

namespace shale {

struct RegistryMirror {
  std::string location;       // "mirror.example.com/library" (prefix replacement)
  bool insecure = false;
  std::string pull_from_mirror;  // "", "all", "digest-only", "tag-only"
};

struct RegistryEntry {
  std::string prefix;    // what names it applies to: "host[:port][/path]" or "*.domain"
  std::string location;  // where those names really live (defaults to prefix)
  bool insecure = false;  // HTTP allowed and TLS not verified
  bool blocked = false;
  bool mirror_by_digest_only = false;
  std::vector<RegistryMirror> mirrors;
};

// One place to try for a pull: a rewritten reference plus its security setting.
struct PullSource {
  Reference ref;
  bool insecure = false;
  bool mirror = false;
};

class RegistriesConf {
 public:
  // Reads the files named in the header. A missing file is skipped; a
  // malformed one is InvalidArgument naming the file and line.
  static Result<RegistriesConf> Load();
  static Result<RegistriesConf> LoadFile(const std::string& path);
  static Result<RegistriesConf> Parse(std::string_view toml);

  // Applies a later file on top of this one (see header).
  void Merge(const RegistriesConf& later);

  // The entry with the longest matching prefix for ref.Name(), or nullptr.
  const RegistryEntry* Find(const Reference& ref) const;
  bool IsInsecure(const Reference& ref) const;
  bool IsBlocked(const Reference& ref) const;
  // Where to pull ref from, in order: eligible mirrors then the location.
  // PermissionDenied when the registry is blocked.
  Result<std::vector<PullSource>> PullSources(const Reference& ref) const;
  // Where a push of ref goes (location rewrite applied; mirrors never used).
  Result<PullSource> PushDestination(const Reference& ref) const;

  std::vector<std::string> search_registries;
  bool search_registries_set = false;
  std::map<std::string, std::string> aliases;  // short name -> qualified name
  std::vector<RegistryEntry> registries;
};

// Turns what a user typed into a qualified reference, podman-style:
// a qualified name is parsed as is; a short name uses its [aliases] entry, else
// the unqualified-search-registries: exactly one → that registry; none
// configured → docker.io (docker's rule); several → InvalidArgument listing the
// candidates (shale never guesses and never prompts).
Result<Reference> ResolveShortName(std::string_view text, const RegistriesConf& conf);

}  // namespace shale

#endif  // SHALE_REGISTRY_REGISTRIES_CONF_H_
