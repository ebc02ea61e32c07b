// `shale build` (alias `bud`): flags as buildah has them.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <thread>

#include "base/fd.h"
#include "builder/build_options.h"
#include "builder/cli/command.h"
#include "builder/executor.h"
#include "frontend/stage_compiler.h"

namespace shale::cli {
namespace {

struct BuildFlags {
  std::vector<std::string> tags, build_args, build_arg_files, labels, annotations, secrets, no_cache_filter;
  std::string file, context = ".", target, isolation, runtime, format, pull = "missing", iidfile, network;
  std::string timestamp, source_date_epoch, authfile, creds, tls_verify, cert_dir, platform, progress = "plain";
  std::string ignorefile, compression = "gzip", layers = "true";
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

Result<BuildOptions> ToOptions(const BuildFlags& f, const GlobalOptions& global) {
  BuildOptions o;
  o.tags = f.tags;
  o.containerfile = f.file;
  o.context_dir = f.context;
  o.ignorefile = f.ignorefile;
  for (const auto& path : f.build_arg_files) {
    ASSIGN_OR_RETURN(std::string text, ReadFileCapped(path, 1 << 20));
    size_t start = 0;
    while (start < text.size()) {
      size_t nl = text.find('\n', start);
      std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
      start = nl == std::string::npos ? text.size() : nl + 1;
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
  ASSIGN_OR_RETURN(o.layers, ParseBool(f.layers, "--layers"));
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
  AddKeyValues(f.labels, o.labels);
  AddKeyValues(f.annotations, o.annotations);
  o.iidfile = f.iidfile;
  if (!f.network.empty() && f.network != "host" && f.network != "none" && f.network != "default")
    return InvalidArgumentError("--network \"" + f.network + "\": want host or none");
  o.network = f.network == "default" ? "" : f.network;
  for (const auto& s : f.secrets) {
    SecretSpec spec;
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
      else if (k == "type") continue;
      else return InvalidArgumentError("--secret \"" + s + "\": unknown key \"" + k + "\"");
    }
    if (spec.id.empty()) spec.id = !spec.src.empty() ? spec.src.substr(spec.src.rfind('/') + 1) : spec.env;
    if (spec.id.empty() || (spec.src.empty() && spec.env.empty()))
      return InvalidArgumentError("--secret \"" + s + "\": want id=ID,src=FILE or id=ID,env=VAR");
    if (spec.src.empty() && spec.env.empty()) spec.env = spec.id;
    o.secrets.push_back(spec);
  }
  o.jobs = f.jobs;
  o.authfile = f.authfile;
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
  cmd->add_option("context", flags->context, "Build context directory (default .)");
  cmd->add_option("-t,--tag", flags->tags, "Name the image (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("-f,--file", flags->file, "Containerfile (- for stdin)");
  cmd->add_option("--build-arg", flags->build_args, "NAME=value (NAME alone: from the environment)")
      ->allow_extra_args(false);
  cmd->add_option("--build-arg-file", flags->build_arg_files, "File of NAME=value lines")
      ->allow_extra_args(false);
  cmd->add_option("--target", flags->target, "Stage to build");
  cmd->add_option("--isolation", flags->isolation, "chroot, rootless or oci (also $BUILDAH_ISOLATION)");
  cmd->add_option("--runtime", flags->runtime, "OCI runtime for --isolation oci (runc, crun)");
  cmd->add_option("--format", flags->format, "oci or docker (also $BUILDAH_FORMAT)");
  cmd->add_option("--pull", flags->pull, "always, missing, never or newer")->expected(0, 1)->default_str("always");
  cmd->add_flag("--pull-always", flags->pull_always, "Same as --pull=always");
  cmd->add_flag("--pull-never", flags->pull_never, "Same as --pull=never");
  cmd->add_option("--layers", flags->layers, "Cache intermediate layers (default true)")->expected(0, 1)
      ->default_str("true");
  cmd->add_flag("--no-cache", flags->no_cache, "Do not use cached steps");
  cmd->add_option("--no-cache-filter", flags->no_cache_filter, "Stages not to take from the cache")
      ->allow_extra_args(false);
  cmd->add_flag("--squash", flags->squash, "One layer for everything the target stage adds");
  cmd->add_option("--timestamp", flags->timestamp, "Created time and file times, seconds since the epoch");
  cmd->add_option("--source-date-epoch", flags->source_date_epoch, "Like $SOURCE_DATE_EPOCH");
  cmd->add_option("--label", flags->labels, "KEY=value (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--annotation", flags->annotations, "KEY=value manifest annotation (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--iidfile", flags->iidfile, "Write the image id here");
  cmd->add_option("--network", flags->network, "host or none for RUN steps");
  cmd->add_option("--secret", flags->secrets, "id=ID,src=FILE or id=ID,env=VAR")
      ->allow_extra_args(false);
  cmd->add_option("--jobs", flags->jobs, "Stages built at once (default: CPUs)");
  cmd->add_option("--authfile", flags->authfile, "Registry credentials file");
  cmd->add_option("--creds", flags->creds, "USER:PASSWORD for pulling base images");
  cmd->add_option("--tls-verify", flags->tls_verify, "Verify registry TLS (default true)")->expected(0, 1)
      ->default_str("true");
  cmd->add_option("--cert-dir", flags->cert_dir, "CA/client certificates for registries");
  cmd->add_option("--platform", flags->platform, "os/arch (only the host's for now)");
  cmd->add_flag("-q,--quiet", flags->quiet, "Print only the image id");
  cmd->add_option("--progress", flags->progress, "plain or json");
  cmd->add_option("--ignorefile", flags->ignorefile, "Ignore file instead of .containerignore/.dockerignore");
  cmd->add_option("--compression", flags->compression, "Layer compression: gzip, zstd or none");
  cmd->callback([&ctx, flags] {
    ctx.run = [&ctx, flags]() -> int {
      auto options = ToOptions(*flags, ctx.global);
      if (!options.ok()) {
        std::fprintf(stderr, "Error: %s\n", options.status().message().c_str());
        return kExitUsage;
      }
      Progress progress(options->progress, stdout);
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
