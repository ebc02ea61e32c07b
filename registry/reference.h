// Image references ("docker.io/library/busybox:latest", "127.0.0.1:5000/a/b@sha256:…")
// parsed and normalised the way podman and docker do:
//   - the first path component is a registry when it contains '.' or ':', is
//     "localhost", or has an upper-case letter; otherwise the name is a short
//     name (no registry given);
//   - "index.docker.io" becomes "docker.io"; a one-component docker.io path
//     gets "library/";
//   - no tag and no digest means ":latest"; "name:tag@digest" keeps both (the
//     digest decides what is fetched, as in podman).
// Short names are resolved through registries.conf (registry/registries_conf.h):
// ResolveShortName().
#ifndef SHALE_REGISTRY_REFERENCE_H_
#define SHALE_REGISTRY_REFERENCE_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/digest.h"
#include "base/status.h"

namespace shale {

inline constexpr char kDockerHubDomain[] = "docker.io";
inline constexpr size_t kMaxReferenceLength = 4096;
inline constexpr size_t kMaxNameLength = 255;  // domain/path, per distribution

struct Reference {
  std::string domain;  // "docker.io", "quay.io", "127.0.0.1:5000", "localhost"
  std::string path;    // "library/busybox": lowercase components joined by '/'
  std::string tag;     // empty when only a digest was given
  Digest digest;       // invalid when not given
  bool short_name = false;  // the text named no registry (domain was filled in)

  // "domain/path".
  std::string Name() const { return domain + "/" + path; }
  // "domain/path:tag", "domain/path@digest" or "domain/path:tag@digest".
  std::string ToString() const;
  // What goes after /manifests/: the digest when set, else the tag.
  std::string ManifestRef() const;
  // Host part of domain without the port ("127.0.0.1").
  std::string Host() const;

  friend bool operator==(const Reference&, const Reference&) = default;
};

// Parses and normalises. Short names get docker.io (docker's rule); use
// ResolveShortName() for podman's registries.conf rules. InvalidArgument names
// the offending part: empty text, bad characters, uppercase repository, bad
// tag, bad digest, over-long name.
Result<Reference> ParseReference(std::string_view text);

// Parses a name given for a local image (`build -t api:1`, `tag`): a short name
// becomes "localhost/<name>" as podman does; a qualified name is kept.
Result<Reference> ParseLocalName(std::string_view text);

// Names under which a user-typed image name may be stored locally, most
// likely first: the text as qualified, "localhost/<name>", and
// "docker.io/library/<name>" for short names. Used to find images by name.
std::vector<std::string> LocalNameCandidates(std::string_view text);

// True when the text's first component is a registry (see the header rules).
bool HasExplicitDomain(std::string_view text);

}  // namespace shale

#endif  // SHALE_REGISTRY_REFERENCE_H_
