// shale run-step (hidden): runs one RUN-equivalent step in a rootfs with an
// isolation backend, without an image or a build. For tests, benchmarks and
// debugging the runtime:
//   shale run-step --rootfs DIR [--isolation chroot|rootless|oci] [--user U]
//     [--env K=V]... [--workdir D] [--hostname H] [--network host|none]
//     [--mount type=bind,source=S,target=T[,ro] | type=tmpfs,target=T] -- CMD...
// Exit code: the step's, 128+N when it died of signal N, 125 when it could
// not start.
#include <cstdio>

#include "builder/cli/command.h"
#include "runtime/select.h"
#include "runtime/user_lookup.h"

namespace shale::cli {
namespace {

struct RunStepOptions {
  std::string rootfs;
  std::string isolation;
  std::string runtime;
  std::string user;
  std::vector<std::string> env;
  std::string workdir = "/";
  std::string hostname;
  std::string network = "host";
  std::vector<std::string> mounts;
  std::vector<std::string> args;
};

Result<runtime::MountSpec> ParseMount(const std::string& text) {
  runtime::MountSpec m;
  std::string type = "bind";
  size_t i = 0;
  while (i <= text.size()) {
    size_t j = text.find(',', i);
    if (j == std::string::npos) j = text.size();
    std::string kv = text.substr(i, j - i);
    i = j + 1;
    if (kv.empty()) continue;
    size_t eq = kv.find('=');
    std::string k = kv.substr(0, eq);
    std::string v = eq == std::string::npos ? "" : kv.substr(eq + 1);
    if (k == "type") type = v;
    else if (k == "source" || k == "src") m.source = v;
    else if (k == "target" || k == "dst" || k == "destination") m.target = v;
    else if (k == "ro" || k == "readonly") m.readonly = v.empty() || v == "true";
    else if (k == "size" || k == "mode") m.tmpfs_options += (m.tmpfs_options.empty() ? "" : ",") + kv;
    else return InvalidArgumentError("unknown --mount option \"" + k + "\"");
  }
  if (type == "tmpfs") m.type = runtime::MountSpec::Type::kTmpfs;
  else if (type != "bind") return InvalidArgumentError("--mount type must be bind or tmpfs, got " + type);
  return m;
}

int RunStep(const RunStepOptions& o) {
  auto isolation = runtime::SelectIsolationFromEnvironment(o.isolation);
  if (!isolation.ok()) {
    ReportError(isolation.status());
    return kExitUsage;
  }
  runtime::RunSpec spec;
  spec.args = o.args;
  spec.rootfs = o.rootfs;
  spec.cwd = o.workdir;
  spec.hostname = o.hostname;
  spec.network = o.network == "none" ? runtime::NetworkMode::kNone : runtime::NetworkMode::kHost;
  spec.env = o.env;
  bool has_path = false;
  for (const auto& e : spec.env) has_path |= e.rfind("PATH=", 0) == 0;
  if (!has_path) spec.env.push_back("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  for (const auto& m : o.mounts) {
    auto parsed = ParseMount(m);
    if (!parsed.ok()) {
      ReportError(parsed.status());
      return kExitUsage;
    }
    spec.mounts.push_back(*parsed);
  }
  auto ids = runtime::LookupUser(o.rootfs, o.user);
  if (!ids.ok()) {
    ReportError(ids.status());
    return kExitUsage;
  }
  spec.uid = ids->uid;
  spec.gid = ids->gid;
  spec.additional_gids = ids->additional_gids;
  auto backend = runtime::MakeBackend(*isolation, {o.runtime});
  if (!backend.ok()) {
    ReportError(backend.status());
    return kExitUsage;
  }
  auto st = (*backend)->Run(spec);
  if (!st.ok()) {
    ReportError(st.status());
    return kExitUsage;
  }
  return st->signal ? 128 + st->signal : st->exit_code;
}

}  // namespace

void RegisterRunStepCommand(CLI::App& app, CommandContext& ctx) {
  auto o = std::make_shared<RunStepOptions>();
  auto* cmd = app.add_subcommand("run-step", "");  // hidden: empty description
  cmd->add_option("--rootfs", o->rootfs, "Root filesystem of the step")->required();
  cmd->add_option("--isolation", o->isolation, "chroot, rootless or oci");
  cmd->add_option("--runtime", o->runtime, "OCI runtime for --isolation oci");
  cmd->add_option("--user,-u", o->user, "user[:group], looked up in the rootfs");
  cmd->add_option("--env,-e", o->env, "KEY=value (repeatable)");
  cmd->add_option("--workdir,-w", o->workdir, "Working directory inside the rootfs");
  cmd->add_option("--hostname", o->hostname, "Hostname of the step");
  cmd->add_option("--network", o->network, "host or none")->check(CLI::IsMember({"host", "none"}));
  cmd->add_option("--mount", o->mounts, "type=bind,source=S,target=T[,ro] or type=tmpfs,target=T");
  cmd->add_option("args", o->args, "Command and arguments")->required();
  cmd->callback([&ctx, o] { ctx.run = [o] { return RunStep(*o); }; });
}

}  // namespace shale::cli
