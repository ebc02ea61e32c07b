// shale info: where the store is, which isolation backends work here (and
// why the others do not), and the kernel features shale relies on.
#include <pwd.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "base/fd.h"
#include "builder/cli/command.h"
#include "runtime/host_features.h"
#include "runtime/id_map.h"
#include "base/safe_path.h"
#include "runtime/select.h"
#include "runtime/userns_reexec.h"

namespace shale::cli {
namespace {

struct InfoOptions {
  std::string format;
  std::string runtime;
};

std::string UserName(uid_t uid) {
  struct passwd pw, *res = nullptr;
  char buf[4096];
  if (getpwuid_r(uid, &pw, buf, sizeof buf, &res) == 0 && res) return res->pw_name;
  return "";
}

nlohmann::json Ranges(const char* file, const std::string& name, uid_t uid) {
  nlohmann::json out = nlohmann::json::array();
  auto text = ReadFileCapped(file, 1 << 20);
  if (!text.ok()) return out;
  for (const auto& r : runtime::FindSubIdRanges(*text, name, uid)) {
    out.push_back({{"start", r.start}, {"count", r.count}});
  }
  return out;
}

int RunInfo(const CommandContext& ctx, const InfoOptions& opt) {
  using nlohmann::json;
  const runtime::HostFeatures& f = runtime::ProbeHostFeatures();
  const uid_t uid = runtime::HostUid();
  const std::string name = UserName(uid);
  struct utsname u;
  uname(&u);
  json info;
  info["store"] = {{"root", StoreRoot(ctx.global)}};
  info["host"] = {{"kernel", u.release},
                  {"arch", u.machine},
                  {"uid", uid},
                  {"user", name},
                  {"in_user_namespace", f.in_user_namespace},
                  {"in_shale_user_namespace", runtime::InShaleUserNamespace()}};
  auto iso = runtime::SelectIsolationFromEnvironment("");
  json backends = json::array();
  for (const auto& b : runtime::CheckBackends(f, uid == 0, opt.runtime)) {
    backends.push_back({{"name", std::string(runtime::IsolationName(b.isolation))},
                        {"available", b.available},
                        {"detail", b.detail}});
  }
  info["isolation"] = {{"default", iso.ok() ? std::string(runtime::IsolationName(*iso)) : iso.status().ToString()},
                       {"backends", backends}};
  Status overlay = runtime::ProbeOverlayMount();
  auto maxns = ReadFileCapped("/proc/sys/user/max_user_namespaces", 64);
  json kernel;
  kernel["overlayfs_mountable"] = overlay.ok();
  if (!overlay.ok()) kernel["overlayfs_detail"] = overlay.ToString();
  kernel["user_namespaces"] = f.unshare_user || f.in_user_namespace;
  if (maxns.ok()) kernel["max_user_namespaces"] = std::stol(*maxns);
  kernel["openat2"] = HaveOpenat2();
  kernel["namespaces"] = {{"mount", f.unshare_mount}, {"pid", f.unshare_pid}, {"uts", f.unshare_uts},
                          {"ipc", f.unshare_ipc},     {"net", f.unshare_net},   {"user", f.unshare_user},
                          {"mount_allowed", f.mount_allowed}, {"mknod", f.mknod_allowed}};
  kernel["subuid"] = Ranges("/etc/subuid", name, uid);
  kernel["subgid"] = Ranges("/etc/subgid", name, uid);
  kernel["newuidmap"] = access("/usr/bin/newuidmap", X_OK) == 0;
  info["kernel"] = kernel;

  if (opt.format == "json") {
    std::printf("%s\n", info.dump(2).c_str());
    return kExitOk;
  }
  std::printf("store:\n  root: %s\n", info["store"]["root"].get<std::string>().c_str());
  std::printf("host:\n  kernel: %s %s\n  user: %s (uid %u)%s\n", u.release, u.machine, name.c_str(), uid,
              runtime::InShaleUserNamespace() ? ", inside shale's user namespace" : "");
  std::printf("isolation:\n  default: %s\n", info["isolation"]["default"].get<std::string>().c_str());
  for (const auto& b : backends) {
    std::printf("  %-9s %s  %s\n", b["name"].get<std::string>().c_str(),
                b["available"].get<bool>() ? "yes" : "no ", b["detail"].get<std::string>().c_str());
  }
  auto yn = [](bool b) { return b ? "yes" : "no"; };
  std::printf("kernel:\n  overlayfs mountable: %s%s\n", yn(overlay.ok()),
              overlay.ok() ? "" : (" (" + overlay.ToString() + ")").c_str());
  std::printf("  user namespaces: %s\n  openat2: %s\n", yn(kernel["user_namespaces"].get<bool>()),
              yn(kernel["openat2"].get<bool>()));
  std::printf("  namespaces allowed: %s\n", runtime::DescribeDenied(f).c_str());
  auto ranges = [](const json& r) {
    std::string s;
    for (const auto& x : r) {
      s += (s.empty() ? "" : ", ") + std::to_string(x["start"].get<uint32_t>()) + "+" +
           std::to_string(x["count"].get<uint32_t>());
    }
    return s.empty() ? std::string("none") : s;
  };
  std::printf("  subuid ranges: %s\n  subgid ranges: %s\n  newuidmap: %s\n", ranges(kernel["subuid"]).c_str(),
              ranges(kernel["subgid"]).c_str(), yn(kernel["newuidmap"].get<bool>()));
  return kExitOk;
}

}  // namespace

void RegisterInfoCommand(CLI::App& app, CommandContext& ctx) {
  auto opt = std::make_shared<InfoOptions>();
  auto* cmd = app.add_subcommand("info", "Show the store, the isolation backends that work here, and kernel features");
  cmd->add_option("--format", opt->format, "Output format: json")->check(CLI::IsMember({"json"}));
  cmd->add_option("--runtime", opt->runtime, "OCI runtime to check (default: containers.conf, runc, crun)");
  cmd->callback([&ctx, opt] { ctx.run = [&ctx, opt] { return RunInfo(ctx, *opt); }; });
}

}  // namespace shale::cli
