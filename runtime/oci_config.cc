#include "runtime/oci_config.h"

#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "base/fd.h"
#include "base/safe_path.h"
#include "base/text.h"
#include "runtime/capabilities.h"
#include "runtime/step_init.h"

namespace shale::runtime {
namespace {

using nlohmann::json;

json Mount(const std::string& dest, const std::string& type, const std::string& source,
           std::vector<std::string> options) {
  return json{{"destination", dest}, {"type", type}, {"source", source}, {"options", options}};
}

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')) --e;
  return std::string(s.substr(b, e - b));
}

}  // namespace

std::string RlimitName(int resource) {
  switch (resource) {
    case RLIMIT_AS: return "RLIMIT_AS";
    case RLIMIT_CORE: return "RLIMIT_CORE";
    case RLIMIT_CPU: return "RLIMIT_CPU";
    case RLIMIT_DATA: return "RLIMIT_DATA";
    case RLIMIT_FSIZE: return "RLIMIT_FSIZE";
    case RLIMIT_LOCKS: return "RLIMIT_LOCKS";
    case RLIMIT_MEMLOCK: return "RLIMIT_MEMLOCK";
    case RLIMIT_MSGQUEUE: return "RLIMIT_MSGQUEUE";
    case RLIMIT_NICE: return "RLIMIT_NICE";
    case RLIMIT_NOFILE: return "RLIMIT_NOFILE";
    case RLIMIT_NPROC: return "RLIMIT_NPROC";
    case RLIMIT_RSS: return "RLIMIT_RSS";
    case RLIMIT_RTPRIO: return "RLIMIT_RTPRIO";
    case RLIMIT_RTTIME: return "RLIMIT_RTTIME";
    case RLIMIT_SIGPENDING: return "RLIMIT_SIGPENDING";
    case RLIMIT_STACK: return "RLIMIT_STACK";
    default: return "";
  }
}

Result<std::string> MakeOciConfig(const RunSpec& spec, const EtcFileSources& etc, bool in_user_namespace,
                                  const std::string& step_init) {
  RETURN_IF_ERROR(ValidateRunSpec(spec));
  // A non-root step gets no effective/permitted capabilities: the kernel
  // would clear them at the step's exec anyway (no ambient set, no file caps).
  const std::vector<std::string> caps = CapabilityNames(spec.capabilities);
  const std::vector<std::string> held = spec.uid == 0 ? caps : std::vector<std::string>{};
  std::vector<std::string> args;
  if (!step_init.empty()) args.push_back(kStepInitPath);
  args.insert(args.end(), spec.args.begin(), spec.args.end());
  json process = {
      {"terminal", false},
      {"user", {{"uid", spec.uid}, {"gid", spec.gid}, {"additionalGids", spec.additional_gids}}},
      {"args", args},
      {"env", spec.env},
      {"cwd", spec.cwd},
      {"capabilities", {{"bounding", caps}, {"effective", held}, {"permitted", held}}},
      {"noNewPrivileges", false},
  };
  if (!spec.rlimits.empty()) {
    json rl = json::array();
    for (const auto& r : spec.rlimits) {
      std::string name = RlimitName(r.resource);
      if (name.empty()) return InvalidArgumentError("unknown rlimit " + std::to_string(r.resource));
      rl.push_back({{"type", name}, {"hard", r.hard}, {"soft", r.soft}});
    }
    process["rlimits"] = rl;
  }
  json mounts = json::array();
  mounts.push_back(Mount("/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}));
  mounts.push_back(Mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}));
  mounts.push_back(Mount("/dev/pts", "devpts", "devpts",
                         {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"}));
  mounts.push_back(Mount("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}));
  if (!step_init.empty()) {
    // Inside the /dev tmpfs: the runtime creates the mount point there.
    mounts.push_back(Mount(kStepInitPath, "bind", step_init, {"bind", "ro", "nosuid", "nodev", "rprivate"}));
  }
  if (in_user_namespace && spec.network == NetworkMode::kHost) {
    mounts.push_back(Mount("/sys", "none", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro"}));
  } else {
    mounts.push_back(Mount("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}));
  }
  const std::pair<const std::string*, const char*> files[] = {
      {&etc.resolv_conf, "/etc/resolv.conf"}, {&etc.hosts, "/etc/hosts"}, {&etc.hostname, "/etc/hostname"}};
  for (const auto& [src, dest] : files) {
    if (!src->empty()) mounts.push_back(Mount(dest, "bind", *src, {"bind", "rprivate"}));
  }
  for (const auto& m : spec.mounts) {
    std::string dest = CleanRootPath(m.target);
    if (m.type == MountSpec::Type::kTmpfs) {
      std::vector<std::string> opts = {"nosuid", "nodev"};
      opts.push_back(m.tmpfs_options.empty() ? "mode=1777" : m.tmpfs_options);
      if (m.readonly) opts.push_back("ro");
      mounts.push_back(Mount(dest, "tmpfs", "tmpfs", opts));
    } else {
      std::vector<std::string> opts = {"rbind", "rprivate"};
      if (m.readonly) opts.push_back("ro");
      mounts.push_back(Mount(dest, "bind", m.source, opts));
    }
  }
  json namespaces = json::array({{{"type", "pid"}}, {{"type", "ipc"}}, {{"type", "uts"}}, {{"type", "mount"}}});
  if (spec.network == NetworkMode::kNone) namespaces.push_back({{"type", "network"}});
  json config = {
      {"ociVersion", "1.0.2"},
      {"process", process},
      {"root", {{"path", spec.rootfs}, {"readonly", false}}},
      {"mounts", mounts},
      {"linux",
       {{"namespaces", namespaces},
        {"maskedPaths",
         {"/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
          "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware"}},
        {"readonlyPaths", {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}}}},
  };
  if (!spec.hostname.empty()) config["hostname"] = spec.hostname;
  try {
    return config.dump(2);
  } catch (const json::exception& e) {
    return InvalidArgumentError(std::string("step spec is not valid UTF-8: ") + e.what());
  }
}

std::vector<PrepOp> OciPrepOps(const RunSpec& spec, const EtcFileSources& etc) {
  std::vector<PrepOp> ops = {{PrepOp::Kind::kDir, "/proc", "", 0755, 0, false},
                             {PrepOp::Kind::kDir, "/dev", "", 0755, 0, false},
                             {PrepOp::Kind::kDir, "/sys", "", 0755, 0, false}};
  const std::pair<const std::string*, const char*> files[] = {
      {&etc.resolv_conf, "/etc/resolv.conf"}, {&etc.hosts, "/etc/hosts"}, {&etc.hostname, "/etc/hostname"}};
  for (const auto& [src, dest] : files) {
    if (!src->empty()) ops.push_back({PrepOp::Kind::kFile, dest, "", 0644, 0, false});
  }
  for (const auto& m : spec.mounts) {
    if (m.type == MountSpec::Type::kTmpfs) {
      ops.push_back({PrepOp::Kind::kDir, CleanRootPath(m.target), "", 0755, 0, false});
    } else {
      ops.push_back({PrepOp::Kind::kMountTarget, CleanRootPath(m.target), m.source, 0755, 0, false});
    }
  }
  return ops;
}

std::optional<std::string> ParseContainersConfRuntime(std::string_view text) {
  std::string section;
  std::optional<std::string> out;
  for (std::string_view raw : SplitLines(text)) {
    std::string line = Trim(raw);
    if (line.empty() || line[0] == '#') continue;
    if (line[0] == '[') {
      size_t close = line.find(']');
      section = close == std::string::npos ? "" : Trim(std::string_view(line).substr(1, close - 1));
      continue;
    }
    if (section != "engine") continue;
    size_t eq = line.find('=');
    if (eq == std::string::npos || Trim(std::string_view(line).substr(0, eq)) != "runtime") continue;
    std::string value = Trim(std::string_view(line).substr(eq + 1));
    if (value.size() >= 2 && (value[0] == '"' || value[0] == '\'')) {
      size_t end = value.find(value[0], 1);
      if (end == std::string::npos) continue;
      value = value.substr(1, end - 1);
    } else {
      size_t hash = value.find('#');
      if (hash != std::string::npos) value = Trim(std::string_view(value).substr(0, hash));
    }
    if (!value.empty()) out = value;
  }
  return out;
}

std::vector<std::string> ContainersConfPaths() {
  if (const char* env = getenv("CONTAINERS_CONF"); env && *env) return {env};
  std::vector<std::string> out = {"/usr/share/containers/containers.conf", "/etc/containers/containers.conf"};
  const char* xdg = getenv("XDG_CONFIG_HOME");
  const char* home = getenv("HOME");
  if (xdg && *xdg) {
    out.push_back(std::string(xdg) + "/containers/containers.conf");
  } else if (home && *home) {
    out.push_back(std::string(home) + "/.config/containers/containers.conf");
  }
  return out;
}

Result<std::string> ResolveOciRuntime(const std::string& flag) {
  std::string name = flag;
  if (name.empty()) {
    for (const auto& path : ContainersConfPaths()) {
      auto text = ReadFileCapped(path, 1 << 20);
      if (!text.ok()) continue;
      if (auto r = ParseContainersConfRuntime(*text)) name = *r;
    }
  }
  auto find = [](const std::string& n) -> std::string {
    if (n.find('/') != std::string::npos) return access(n.c_str(), X_OK) == 0 ? n : "";
    std::string path = getenv("PATH") ? getenv("PATH") : "";
    path += ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    size_t i = 0;
    while (i <= path.size()) {
      size_t j = path.find(':', i);
      if (j == std::string::npos) j = path.size();
      std::string dir = path.substr(i, j - i);
      i = j + 1;
      if (dir.empty()) continue;
      std::string cand = dir + "/" + n;
      if (access(cand.c_str(), X_OK) == 0) return cand;
    }
    return "";
  };
  if (!name.empty()) {
    std::string p = find(name);
    if (p.empty()) return NotFoundError("OCI runtime \"" + name + "\" not found");
    return p;
  }
  for (const char* n : {"runc", "crun"}) {
    std::string p = find(n);
    if (!p.empty()) return p;
  }
  return NotFoundError("no OCI runtime found (install runc or crun, or pass --runtime)");
}

}  // namespace shale::runtime
