// BuildOptions: everything `shale build` was asked to do, after flag and
// environment parsing, before anything runs.
#ifndef SHALE_BUILDER_BUILD_OPTIONS_H_
#define SHALE_BUILDER_BUILD_OPTIONS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "builder/progress.h"

namespace shale {

enum class PullPolicy { kMissing, kAlways, kNever, kNewer };

struct SecretSpec {
  std::string id;
  std::string src;  // a file, or
  std::string env;  // an environment variable name
};

// --build-context NAME=VALUE, as given: VALUE is a directory (relative to
// the current directory), docker://IMAGE or docker-image://IMAGE, or a URL.
struct NamedContextFlag {
  std::string name;
  std::string value;
};

// --output / -o: where the final stage's root filesystem is exported after
// the build (type=local: a directory; type=tar: a tar file, "-" = stdout).
struct OutputSpec {
  std::string type;  // "local" or "tar"
  std::string dest;
};

// Label naming the shale version that built an image (buildah's counterpart
// is io.buildah.version; shale does not claim to be buildah).
inline constexpr char kIdentityLabel[] = "dev.shale.version";

struct BuildOptions {
  std::vector<std::string> tags;         // local names (-t NAME)
  std::vector<std::string> oci_layouts;  // -t oci:DIR[:REF]: also written to that OCI layout
  std::string containerfile;  // path, "-" for stdin, "" = find in context
  std::string containerfile_text;  // when read from stdin
  std::string context_dir = ".";
  std::string ignorefile;
  std::map<std::string, std::string> build_args;  // NAME=value (NAME alone: from the environment)
  std::string target;
  std::string from;  // --from: replaces the first stage's FROM image (or scratch)
  std::string isolation;  // "", chroot, rootless, oci
  std::string runtime;    // for oci: runc/crun path or name
  std::string format = "oci";  // oci | docker
  PullPolicy pull = PullPolicy::kMissing;
  bool layers = true;      // cache on
  bool no_cache = false;
  std::vector<std::string> no_cache_filter;  // stage names not to take from cache
  bool squash = false;
  std::optional<int64_t> timestamp;           // --timestamp: created time and file mtimes
  std::optional<int64_t> source_date_epoch;   // SOURCE_DATE_EPOCH / --source-date-epoch
  std::map<std::string, std::string> labels;
  // The identity label's value (kIdentityLabel = shale's version) put on the
  // committed image; empty = none (--identity-label=false, --timestamp,
  // SOURCE_DATE_EPOCH: buildah leaves it out of reproducible builds too).
  std::string identity_label;
  // --save-stages: every intermediate stage with instructions is kept as an
  // untagged image; --stage-labels: each stage gets io.buildah.stage.name
  // (alias or position) and io.buildah.stage.base (FROM as written, or the
  // saved image id of the stage it is built on) as a LABEL after FROM.
  bool save_stages = false;
  bool stage_labels = false;
  std::map<std::string, std::string> annotations;
  std::string iidfile;      // gets "sha256:HEX"
  std::string iidfile_raw;  // gets "HEX"
  std::string network;  // "", host, none
  std::vector<SecretSpec> secrets;
  int jobs = 0;  // 0 = number of CPUs
  std::string authfile;
  std::string signature_policy;  // --signature-policy; "": the default files
  std::string creds;
  std::optional<bool> tls_verify;
  std::string cert_dir;
  std::string platform;
  bool quiet = false;
  ProgressMode progress = ProgressMode::kPlain;
  std::string storage_driver;
  std::string compression = "gzip";  // gzip | zstd | none
  bool rm = true;  // remove intermediate working trees
  std::vector<std::string> env;       // --env KEY=value, set in every stage's config
  std::vector<std::string> unsetenv;  // --unsetenv KEY, removed from the final config
  bool omit_history = false;          // --omit-history: no history entries in the image
  std::vector<NamedContextFlag> build_contexts;  // --build-context
  std::optional<OutputSpec> output;              // --output / -o
  // --device HOST[:CONTAINER[:PERMISSIONS]]: the host node bind-mounted into
  // every RUN step (CONTAINER defaults to HOST).
  std::vector<std::string> devices;
  // --dns / --dns-search / --dns-option: RUN steps' resolv.conf (each list
  // replaces the host's lines of its kind); --add-host NAME:IP: /etc/hosts.
  std::vector<std::string> dns_servers, dns_search, dns_options;
  std::vector<std::pair<std::string, std::string>> add_hosts;  // {name, ip}
  bool log_rusage = false;      // --log-rusage: resource use of each RUN step
  std::string rusage_logfile;   // --rusage-logfile: those lines go here instead
  std::optional<int64_t> cache_ttl_ms;  // --cache-ttl: older cache entries are misses
  std::vector<std::string> cpp_flags;   // --cpp-flag (and $BUILDAH_CPPFLAGS) for *.in files
  std::vector<int> cap_add, cap_drop;   // --cap-add/--cap-drop: capability numbers for RUN steps
  std::vector<std::string> runtime_flags;  // --runtime-flag: global flags for the OCI runtime
};

}  // namespace shale

#endif  // SHALE_BUILDER_BUILD_OPTIONS_H_
