// `shale build` (alias `bud`): flags as buildah has them.
#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <thread>

#include "base/fd.h"
#include "base/text.h"
#include "builder/build_flag_values.h"
#include "builder/build_options.h"
#include "builder/cli/command.h"
#include "builder/executor.h"
#include "frontend/stage_compiler.h"
#include "registry/reference.h"
#include "registry/signature_policy.h"
#include "storage/image_copy.h"

#ifndef SHALE_VERSION
#define SHALE_VERSION "0.0.0"
#endif

namespace shale::cli {
namespace {

struct BuildFlags {
  std::vector<std::string> tags, build_args, build_arg_files, labels, annotations, secrets, no_cache_filter;
  std::vector<std::string> contexts, env, unsetenv;
  std::string cpu_shares, memory, memory_swap;
  bool omit_history = false, identity_label = true, force_rm = false, rewrite_timestamp = false;
  std::string iidfile_raw, signature_policy;
  std::string from;
  std::string file, target, isolation, runtime, format, pull = "missing", iidfile, network;
  std::string timestamp, source_date_epoch, authfile, creds, tls_verify, cert_dir, platform, progress = "plain";
  std::string ignorefile, compression = "gzip", layers;  // layers "": $BUILDAH_LAYERS, else true
  std::vector<std::string> build_contexts, devices, cap_add, cap_drop, runtime_flags, cpp_flags;
  std::vector<std::string> dns, dns_search, dns_option, add_host;
  std::string output, userns, userns_uid_map, userns_gid_map, userns_uid_map_user, userns_gid_map_group;
  std::string rusage_logfile, logfile, cache_ttl;
  bool log_rusage = false, logsplit = false, stage_labels = false, save_stages = false;
  bool no_cache = false, squash = false, quiet = false, pull_always = false, pull_never = false;
  int jobs = 0;
};

Result<int64_t> ParseEpoch(const std::string& text, const std::string& what) {
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || v < 0)
    return InvalidArgumentError(what + " \"" + text + "\": want seconds since the epoch");
  return static_cast<int64_t>(v);
}

Result<bool> ParseBool(const std::string& text, const std::string& flag) {
  if (text == "true" || text == "1" || text.empty()) return true;
  if (text == "false" || text == "0") return false;
  return InvalidArgumentError(flag + " \"" + text + "\": want true or false");
}

Result<PullPolicy> ParsePull(const std::string& text) {
  if (text == "always" || text == "true") return PullPolicy::kAlways;
  if (text == "missing" || text == "ifmissing" || text == "notpresent" || text == "false") return PullPolicy::kMissing;
  if (text == "never") return PullPolicy::kNever;
  if (text == "newer" || text == "ifnewer") return PullPolicy::kNewer;
  return InvalidArgumentError("--pull \"" + text + "\": want always, missing, never or newer");
}

void AddKeyValues(const std::vector<std::string>& in, std::map<std::string, std::string>& out) {
  for (const auto& kv : in) {
    size_t eq = kv.find('=');
    out[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
  }
}

// Flags that only make sense together, with buildah's wording.
Status CheckFlagCombinations(const BuildFlags& f) {
  if (f.stage_labels && !f.save_stages) return InvalidArgumentError("\"--stage-labels\" requires \"--save-stages\"");
  if (f.logsplit && f.logfile.empty()) return InvalidArgumentError("cannot use --logsplit without --logfile");
  if (!f.rusage_logfile.empty() && !f.log_rusage)
    return InvalidArgumentError("--rusage-logfile needs --log-rusage");
  return Status();
}

// The flags added for buildah compatibility that carry values of their own.
Status ConvertCompatFlags(const BuildFlags& f, BuildOptions& o, std::vector<std::string>& warnings) {
  for (const auto& c : f.build_contexts) {
    ASSIGN_OR_RETURN(NamedContextFlag nc, ParseBuildContextFlag(c));
    o.build_contexts.push_back(nc);
  }
  if (!f.output.empty()) {
    ASSIGN_OR_RETURN(o.output, ParseOutputFlag(f.output));
  }
  for (const auto& d : f.devices) {
    ASSIGN_OR_RETURN(DeviceSpec spec, ParseDeviceFlag(d));
    (void)spec;
    o.devices.push_back(d);
  }
  // buildah: comma lists inside one value; none of them with --network=none.
  auto words = [](const std::vector<std::string>& values) {
    std::vector<std::string> out;
    for (const auto& v : values) {
      for (size_t start = 0; start <= v.size();) {
        size_t comma = v.find(',', start);
        std::string w = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!w.empty()) out.push_back(w);
        start = comma == std::string::npos ? v.size() + 1 : comma + 1;
      }
    }
    return out;
  };
  o.dns_servers = words(f.dns);
  o.dns_search = words(f.dns_search);
  o.dns_options = words(f.dns_option);
  for (const auto& [flag, list] : {std::pair{"--dns", &o.dns_servers}, std::pair{"--dns-option", &o.dns_options},
                                   std::pair{"--dns-search", &o.dns_search}}) {
    if (!list->empty() && f.network == "none")
      return InvalidArgumentError(std::string("the ") + flag + " option cannot be used with --network=none");
  }
  for (const auto& h : f.add_host) {
    size_t colon = h.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == h.size())
      return InvalidArgumentError("--add-host \"" + h + "\": want NAME:IP");
    o.add_hosts.emplace_back(h.substr(0, colon), h.substr(colon + 1));
  }
  ASSIGN_OR_RETURN(o.cap_add, ParseCapabilities(f.cap_add));
  ASSIGN_OR_RETURN(o.cap_drop, ParseCapabilities(f.cap_drop));
  o.log_rusage = f.log_rusage;
  o.rusage_logfile = f.rusage_logfile;
  if (!f.cache_ttl.empty()) {
    auto ttl = ParseGoDurationMs(f.cache_ttl);
    if (!ttl.ok()) return InvalidArgumentError("parsing --cache-ttl: " + ttl.status().message());
    o.cache_ttl_ms = *ttl;
  }
  o.runtime_flags = f.runtime_flags;
  o.cpp_flags = f.cpp_flags;
  if (!f.userns.empty() && f.userns != "host") {
    warnings.push_back("--userns=" + f.userns +
                       ": RUN steps use the isolation backend's user namespace (shale does not allocate one per build)");
  }
  for (const std::string* m : {&f.userns_uid_map, &f.userns_gid_map, &f.userns_uid_map_user, &f.userns_gid_map_group}) {
    if (!m->empty())
      warnings.push_back("--userns-*-map flags: RUN steps use the isolation backend's ID mapping");
  }
  return Status();
}

Result<BuildOptions> ToOptions(const BuildFlags& f, const GlobalOptions& global, std::vector<std::string>& warnings) {
  BuildOptions o;
  // Flag values are checked before the argument count, as pflag does:
  // "--cpu-shares -t x" takes "-t" as the value and fails on it.
  for (const auto& [flag, value] : {std::pair<const char*, const std::string*>{"-c, --cpu-shares", &f.cpu_shares}}) {
    if (value->empty()) continue;
    char* end = nullptr;
    errno = 0;
    std::strtoull(value->c_str(), &end, 10);
    if (*end != '\0' || errno != 0 || (*value)[0] == '-')
      return InvalidArgumentError("invalid argument \"" + *value + "\" for \"" + flag +
                                  "\" flag: strconv.ParseUint: parsing \"" + *value + "\": invalid syntax");
  }
  RETURN_IF_ERROR(CheckFlagCombinations(f));
  RETURN_IF_ERROR(ConvertCompatFlags(f, o, warnings));
  for (const auto& t : f.tags) (t.rfind("oci:", 0) == 0 ? o.oci_layouts : o.tags).push_back(t);
  o.containerfile = f.file;
  if (f.contexts.size() > 1)
    return InvalidArgumentError("accepts at most 1 arg(s), received " + std::to_string(f.contexts.size()));
  o.context_dir = f.contexts.empty() ? "." : f.contexts[0];
  o.ignorefile = f.ignorefile;
  for (const auto& path : f.build_arg_files) {
    ASSIGN_OR_RETURN(std::string text, ReadFileCapped(path, 1 << 20));
    for (std::string_view view : SplitLines(text)) {
      std::string line(view);
      if (line.empty() || line[0] == '#') continue;
      auto a = frontend::ParseBuildArgFlag(line);
      if (a.value) o.build_args[a.name] = *a.value;
    }
  }
  for (const auto& a : f.build_args) {
    auto arg = frontend::ParseBuildArgFlag(a);
    if (arg.value) {
      o.build_args[arg.name] = *arg.value;
    } else if (const char* env = std::getenv(arg.name.c_str())) {
      o.build_args[arg.name] = env;
    }
  }
  o.target = f.target;
  o.from = f.from;
  o.save_stages = f.save_stages;
  o.stage_labels = f.stage_labels;
  o.isolation = f.isolation;
  o.runtime = f.runtime;
  o.format = f.format;
  if (o.format.empty()) {
    const char* env = std::getenv("BUILDAH_FORMAT");
    o.format = env && *env ? env : "oci";
  }
  if (o.format != "oci" && o.format != "docker")
    return InvalidArgumentError("--format \"" + o.format + "\": want oci or docker");
  ASSIGN_OR_RETURN(o.pull, ParsePull(f.pull));
  if (f.pull_always) o.pull = PullPolicy::kAlways;
  if (f.pull_never) o.pull = PullPolicy::kNever;
  std::string layers = f.layers;
  if (layers.empty()) {
    const char* env = std::getenv("BUILDAH_LAYERS");
    layers = env && *env ? env : "true";
  }
  ASSIGN_OR_RETURN(o.layers, ParseBool(layers, "--layers"));
  o.no_cache = f.no_cache;
  o.no_cache_filter = f.no_cache_filter;
  o.squash = f.squash;
  if (!f.timestamp.empty()) {
    ASSIGN_OR_RETURN(o.timestamp, ParseEpoch(f.timestamp, "--timestamp"));
  }
  if (!f.source_date_epoch.empty()) {
    ASSIGN_OR_RETURN(o.source_date_epoch, ParseEpoch(f.source_date_epoch, "--source-date-epoch"));
  } else if (const char* sde = std::getenv("SOURCE_DATE_EPOCH"); sde && *sde) {
    ASSIGN_OR_RETURN(o.source_date_epoch, ParseEpoch(sde, "SOURCE_DATE_EPOCH"));
  }
  if (f.identity_label && !o.timestamp && !o.source_date_epoch) o.identity_label = SHALE_VERSION;
  AddKeyValues(f.labels, o.labels);
  AddKeyValues(f.annotations, o.annotations);
  o.iidfile = f.iidfile;
  o.iidfile_raw = f.iidfile_raw;
  // "private" and "container" (buildah's words for a new network namespace)
  // mean the backend's default for RUN steps.
  if (!f.network.empty() && f.network != "host" && f.network != "none" && f.network != "default" &&
      f.network != "private" && f.network != "container")
    return InvalidArgumentError("--network \"" + f.network + "\": want host, none, private or container");
  o.network = (f.network == "default" || f.network == "private" || f.network == "container") ? "" : f.network;
  for (const auto& s : f.secrets) {
    SecretSpec spec;
    const std::string bad_secret = "incorrect secret flag format: should be --secret id=foo,src=bar[,env=ENV][,type=file|env]";
    std::string type;
    size_t start = 0;
    while (start <= s.size()) {
      size_t comma = s.find(',', start);
      std::string part = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      start = comma == std::string::npos ? s.size() + 1 : comma + 1;
      size_t eq = part.find('=');
      std::string k = part.substr(0, eq), v = eq == std::string::npos ? "" : part.substr(eq + 1);
      if (k == "id") spec.id = v;
      else if (k == "src" || k == "source") spec.src = v;
      else if (k == "env") spec.env = v;
      else if (k == "type") type = v;
      else return InvalidArgumentError(bad_secret);
      if (eq == std::string::npos || v.empty()) return InvalidArgumentError(bad_secret);
    }
    if (spec.id.empty()) spec.id = !spec.src.empty() ? spec.src.substr(spec.src.rfind('/') + 1) : spec.env;
    if (spec.id.empty()) return InvalidArgumentError(bad_secret);
    // As buildah: with neither src nor env, the id names an environment
    // variable when one is set (or type=env), else a file.
    if (spec.src.empty() && spec.env.empty()) {
      if (type == "env" || (type.empty() && std::getenv(spec.id.c_str()))) spec.env = spec.id;
      else spec.src = spec.id;
    } else if (type == "env" && spec.env.empty()) {
      spec.env = spec.src;
      spec.src.clear();
    }
    o.secrets.push_back(spec);
  }
  o.jobs = f.jobs;
  o.authfile = f.authfile;
  o.signature_policy = f.signature_policy;
  // A bad policy file is an error before anything runs, pull or not.
  if (auto policy = SignaturePolicy::Load(o.signature_policy); !policy.ok())
    return policy.status().Annotate("--signature-policy");
  if (!o.authfile.empty() && ::access(o.authfile.c_str(), R_OK) != 0) {
    int err = errno;
    std::string text = std::strerror(err);
    if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
    return InvalidArgumentError("credential file is not accessible: stat " + o.authfile + ": " + text);
  }
  for (const auto& t : o.oci_layouts) {
    if (auto target = ParseOciLayoutTarget(t.substr(4)); !target.ok()) return target.status().Annotate("tag " + t);
  }
  for (const auto& t : o.tags) {
    // Checked before anything runs, with buildah's wording.
    if (auto ref = ParseLocalName(t); !ref.ok()) {
      const std::string& m = ref.status().message();
      size_t colon = m.rfind(": ");
      return InvalidArgumentError("tag " + t + ": invalid reference format: " +
                                  (colon == std::string::npos ? m : m.substr(colon + 2)));
    }
  }
  for (const auto& e : f.env) {
    size_t eq = e.find('=');
    if (eq == 0 || e.empty()) return InvalidArgumentError("--env \"" + e + "\": want KEY=value or KEY");
    if (eq != std::string::npos) {
      o.env.push_back(e);
    } else if (const char* v = std::getenv(e.c_str())) {
      o.env.push_back(e + "=" + v);
    }
  }
  o.unsetenv = f.unsetenv;
  o.omit_history = f.omit_history;
  o.creds = f.creds;
  if (!f.tls_verify.empty()) {
    ASSIGN_OR_RETURN(bool v, ParseBool(f.tls_verify, "--tls-verify"));
    o.tls_verify = v;
  }
  o.cert_dir = f.cert_dir;
  o.platform = f.platform;
  o.quiet = f.quiet;
  if (f.progress == "json") o.progress = ProgressMode::kJson;
  else if (f.progress == "plain" || f.progress == "auto" || f.progress == "tty") o.progress = ProgressMode::kPlain;
  else return InvalidArgumentError("--progress \"" + f.progress + "\": want plain or json");
  if (f.quiet) o.progress = ProgressMode::kQuiet;
  o.storage_driver = global.storage_driver;
  o.compression = f.compression;
  if (o.containerfile == "-") {
    std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    o.containerfile_text = std::move(text);
  }
  return o;
}

}  // namespace

void RegisterBuildCommand(CLI::App& app, CommandContext& ctx) {
  auto flags = std::make_shared<BuildFlags>();
  auto* cmd = app.add_subcommand("build", "Build an image from a Containerfile");
  cmd->alias("bud");
  cmd->add_option("context", flags->contexts, "Build context directory (default .)");
  cmd->add_option("-t,--tag", flags->tags, "Name the image (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("-f,--file", flags->file, "Containerfile (- for stdin)");
  cmd->add_option("--build-arg", flags->build_args, "NAME=value (NAME alone: from the environment)")
      ->allow_extra_args(false);
  cmd->add_option("--build-arg-file", flags->build_arg_files, "File of NAME=value lines")
      ->allow_extra_args(false);
  cmd->add_option("--target", flags->target, "Stage to build");
  cmd->add_option("--from", flags->from, "Image to use instead of the first stage's FROM");
  cmd->add_option("--isolation", flags->isolation, "chroot, rootless or oci (also $BUILDAH_ISOLATION)");
  cmd->add_option("--runtime", flags->runtime, "OCI runtime for --isolation oci (runc, crun)");
  cmd->add_option("--format", flags->format, "oci or docker (also $BUILDAH_FORMAT)");
  // Optional values only with "=", as buildah (pflag) reads them: "--layers ctx" is a context.
  cmd->add_flag("--pull{always}", flags->pull, "always, missing, never or newer (--pull=VALUE)");
  cmd->add_flag("--pull-always", flags->pull_always, "Same as --pull=always");
  cmd->add_flag("--pull-never", flags->pull_never, "Same as --pull=never");
  cmd->add_flag("--layers{true}", flags->layers, "Cache intermediate layers (default $BUILDAH_LAYERS, else true)");
  cmd->add_flag("--no-cache", flags->no_cache, "Do not use cached steps");
  cmd->add_option("--no-cache-filter", flags->no_cache_filter, "Stages not to take from the cache")
      ->allow_extra_args(false);
  cmd->add_flag("--squash", flags->squash, "One layer for everything the target stage adds");
  cmd->add_option("--timestamp", flags->timestamp, "Created time and file times, seconds since the epoch");
  cmd->add_option("--source-date-epoch", flags->source_date_epoch, "Like $SOURCE_DATE_EPOCH");
  // shale always clamps new layer content to the epoch when one is given
  // (buildah does so only with this flag); accepted for its command lines.
  cmd->add_flag("--rewrite-timestamp", flags->rewrite_timestamp,
                "Clamp file times in new layers to the epoch (always done when an epoch is given)");
  cmd->add_option("--label", flags->labels, "KEY=value (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--annotation", flags->annotations, "KEY=value manifest annotation (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--iidfile", flags->iidfile, "Write the image id here (sha256:HEX)");
  cmd->add_option("--iidfile-raw", flags->iidfile_raw, "Write the image id here, without the sha256: prefix");
  cmd->add_option("--network", flags->network, "host or none for RUN steps");
  cmd->add_option("--secret", flags->secrets, "id=ID,src=FILE or id=ID,env=VAR")
      ->allow_extra_args(false);
  cmd->add_option("--jobs", flags->jobs, "Stages built at once (default: CPUs)");
  cmd->add_option("--authfile", flags->authfile, "Registry credentials file");
  cmd->add_option("--signature-policy", flags->signature_policy,
                  "Signature policy for pulled base images (containers-policy.json)");
  cmd->add_option("--creds", flags->creds, "USER:PASSWORD for pulling base images");
  cmd->add_flag("--tls-verify{true}", flags->tls_verify, "Verify registry TLS (default true)");
  cmd->add_option("--cert-dir", flags->cert_dir, "CA/client certificates for registries");
  cmd->add_option("--platform", flags->platform, "os/arch (only the host's for now)");
  cmd->add_flag("-q,--quiet", flags->quiet, "Print only the image id");
  cmd->add_option("--progress", flags->progress, "plain or json");
  cmd->add_option("--ignorefile", flags->ignorefile, "Ignore file instead of .containerignore/.dockerignore");
  cmd->add_option("--compression", flags->compression, "Layer compression: gzip, zstd or none");
  cmd->add_option("--env", flags->env, "KEY=value (KEY alone: from the environment) in every stage")
      ->allow_extra_args(false);
  cmd->add_option("--unsetenv", flags->unsetenv, "Remove KEY from the image's environment")
      ->allow_extra_args(false);
  cmd->add_flag("--omit-history", flags->omit_history, "Write no history entries");
  cmd->add_flag("--identity-label", flags->identity_label, "Add the dev.shale.version label (default true; none with --timestamp or SOURCE_DATE_EPOCH)");
  cmd->add_flag("--force-rm", flags->force_rm, "Accepted: shale always removes its working trees");
  cmd->add_option("-c,--cpu-shares", flags->cpu_shares, "Accepted (RUN steps are not resource-limited)");
  cmd->add_option("-m,--memory", flags->memory, "Accepted (RUN steps are not resource-limited)");
  cmd->add_option("--memory-swap", flags->memory_swap, "Accepted (RUN steps are not resource-limited)");
  cmd->add_option("--build-context", flags->build_contexts,
                  "NAME=DIR|docker-image://IMAGE: a named context for FROM, COPY --from and RUN --mount from=")
      ->allow_extra_args(false);
  cmd->add_option("-o,--output", flags->output,
                  "Export the final root filesystem: type=local,dest=DIR | type=tar,dest=FILE | DIR | -");
  cmd->add_option("--device", flags->devices, "HOST[:CONTAINER[:rwm]]: bind-mount a host device into RUN steps")
      ->allow_extra_args(false);
  cmd->add_option("--cap-add", flags->cap_add, "Capability added to RUN steps' set")->allow_extra_args(false);
  cmd->add_option("--dns", flags->dns, "Nameserver for RUN steps' /etc/resolv.conf")->allow_extra_args(false);
  cmd->add_option("--dns-search", flags->dns_search, "Search domain for RUN steps")->allow_extra_args(false);
  cmd->add_option("--dns-option", flags->dns_option, "resolv.conf option for RUN steps")->allow_extra_args(false);
  cmd->add_option("--add-host", flags->add_host, "NAME:IP line for RUN steps' /etc/hosts")->allow_extra_args(false);
  cmd->add_option("--cap-drop", flags->cap_drop, "Capability removed from RUN steps' set")->allow_extra_args(false);
  cmd->add_flag("--log-rusage", flags->log_rusage, "Print each executed step's resource use (system, user, elapsed, I/O)");
  cmd->add_option("--rusage-logfile", flags->rusage_logfile, "Write the --log-rusage lines to this file");
  cmd->add_option("--logfile", flags->logfile, "Write all build output to this file");
  cmd->add_flag("--logsplit", flags->logsplit, "Accepted with --logfile (one platform is built at a time)");
  cmd->add_option("--cache-ttl", flags->cache_ttl, "Ignore cached steps older than this (Go duration: 10m, .5s)");
  cmd->add_option("--runtime-flag", flags->runtime_flags, "Global flag for the OCI runtime (--isolation oci)")
      ->allow_extra_args(false);
  cmd->add_option("--cpp-flag", flags->cpp_flags, "Flag for cpp when the Containerfile ends in .in")
      ->allow_extra_args(false);
  cmd->add_flag("--stage-labels", flags->stage_labels, "Label each stage's image with io.buildah.stage.name/.base (needs --save-stages)");
  cmd->add_flag("--save-stages", flags->save_stages, "Keep each intermediate stage's image (untagged)");
  cmd->add_option("--userns", flags->userns,
                  "Accepted: RUN steps use the isolation backend's user namespace (warns unless host)");
  cmd->add_option("--userns-uid-map", flags->userns_uid_map, "Accepted with a warning (see --userns)");
  cmd->add_option("--userns-gid-map", flags->userns_gid_map, "Accepted with a warning (see --userns)");
  cmd->add_option("--userns-uid-map-user", flags->userns_uid_map_user, "Accepted with a warning (see --userns)");
  cmd->add_option("--userns-gid-map-group", flags->userns_gid_map_group, "Accepted with a warning (see --userns)");
  cmd->callback([&ctx, flags] {
    ctx.run = [&ctx, flags]() -> int {
      std::vector<std::string> warnings;
      auto options = ToOptions(*flags, ctx.global, warnings);
      if (!options.ok()) {
        std::fprintf(stderr, "Error: %s\n", options.status().message().c_str());
        return kExitUsage;
      }
      if (!flags->logfile.empty()) {
        // As buildah: everything the build prints goes to the file.
        UniqueFd log(::open(flags->logfile.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
        if (!log.valid()) {
          std::fprintf(stderr, "Error: opening --logfile %s: %s\n", flags->logfile.c_str(), std::strerror(errno));
          return kExitUsage;
        }
        std::fflush(stdout);
        std::fflush(stderr);
        if (::dup2(log.get(), 1) < 0 || ::dup2(log.get(), 2) < 0) {
          std::fprintf(stderr, "Error: redirecting output to --logfile: %s\n", std::strerror(errno));
          return kExitUsage;
        }
      }
      Progress progress(options->progress, stdout);
      for (const auto& w : warnings) progress.Warning(w);
      int run_exit = 0;
      auto outcome = RunBuild(*options, StoreRoot(ctx.global), progress, &run_exit);
      if (!outcome.ok()) {
        progress.Error(outcome.status().message(), "");
        // As buildah: a failing RUN's exit code; any other failure 125.
        return run_exit != 0 ? run_exit : kExitUsage;
      }
      return kExitOk;
    };
  });
}

}  // namespace shale::cli
