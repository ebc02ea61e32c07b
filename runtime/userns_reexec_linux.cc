#include "runtime/userns_reexec.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fd.h"
#include "base/log.h"

extern char** environ;

namespace shale::runtime {
namespace {

pid_t g_child = 0;

void Forward(int sig) {
  if (g_child > 0) kill(g_child, sig);
}

std::string FindHelper(const char* name) {
  for (const char* dir : {"/usr/bin/", "/bin/", "/usr/sbin/", "/usr/local/bin/"}) {
    std::string p = std::string(dir) + name;
    if (access(p.c_str(), X_OK) == 0) return p;
  }
  return "";
}

Status RunHelper(const std::string& helper, const std::vector<std::string>& args) {
  std::vector<std::string> all = {helper};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) return ErrnoToStatus(errno, "fork for " + helper);
  if (pid == 0) {
    execv(helper.c_str(), argv.data());
    _exit(127);
  }
  int st;
  while (waitpid(pid, &st, 0) < 0) {
    if (errno != EINTR) return ErrnoToStatus(errno, "waiting for " + helper);
  }
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    std::string cmd;
    for (const auto& a : all) cmd += (cmd.empty() ? "" : " ") + a;
    return FailedPreconditionError(cmd + " failed (exit status " + std::to_string(WEXITSTATUS(st)) +
                                   "); check /etc/subuid and /etc/subgid");
  }
  return Status::Ok();
}

Status WriteProc(pid_t pid, const char* file, const std::string& text) {
  std::string path = "/proc/" + std::to_string(pid) + "/" + file;
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoToStatus(errno, "opening " + path);
  UniqueFd guard(fd);
  return WriteAll(fd, text).Annotate("writing " + path);
}

Status SetUpMaps(pid_t pid, const UserNamespaceMaps& maps) {
  if (maps.use_helpers) {
    std::string uidmap = FindHelper("newuidmap");
    std::string gidmap = FindHelper("newgidmap");
    if (uidmap.empty() || gidmap.empty()) {
      return FailedPreconditionError("newuidmap/newgidmap not found (install the uidmap package)");
    }
    RETURN_IF_ERROR(RunHelper(uidmap, NewIdMapArgs(pid, maps.uid_map)));
    return RunHelper(gidmap, NewIdMapArgs(pid, maps.gid_map));
  }
  RETURN_IF_ERROR(WriteProc(pid, "setgroups", "deny"));
  RETURN_IF_ERROR(WriteProc(pid, "uid_map", FormatIdMap(maps.uid_map)));
  return WriteProc(pid, "gid_map", FormatIdMap(maps.gid_map));
}

}  // namespace

UserNamespaceMaps PlanUserNamespaceMaps(uid_t uid, gid_t gid, std::string_view user_name,
                                        std::string_view subuid_text, std::string_view subgid_text) {
  UserNamespaceMaps out;
  auto uids = FindSubIdRanges(subuid_text, user_name, uid);
  // /etc/subgid is keyed by user (name or uid), like /etc/subuid.
  auto gids = FindSubIdRanges(subgid_text, user_name, uid);
  if (!uids.empty() && !gids.empty()) {
    out.uid_map = RootlessMapping(uid, uids);
    out.gid_map = RootlessMapping(gid, gids);
    out.use_helpers = true;
    return out;
  }
  out.uid_map = {{0, static_cast<uint32_t>(uid), 1}};
  out.gid_map = {{0, static_cast<uint32_t>(gid), 1}};
  std::string who = user_name.empty() ? std::to_string(uid) : std::string(user_name);
  out.warning = "no " + std::string(uids.empty() ? "/etc/subuid" : "/etc/subgid") + " range for " + who +
                ": using a single-id user namespace (only uid/gid 0 exist inside). Files owned by other "
                "ids cannot be created, so layers lose their ownership, and RUN as another USER fails. "
                "Fix: usermod --add-subuids 100000-165535 --add-subgids 100000-165535 " + who;
  return out;
}

bool InShaleUserNamespace() { return geteuid() == 0 && getenv(kRootlessUidEnv) != nullptr; }

uid_t HostUid() {
  if (InShaleUserNamespace()) return static_cast<uid_t>(strtoul(getenv(kRootlessUidEnv), nullptr, 10));
  return getuid();
}

gid_t HostGid() {
  const char* g = getenv(kRootlessGidEnv);
  if (InShaleUserNamespace() && g) return static_cast<gid_t>(strtoul(g, nullptr, 10));
  return getgid();
}

Result<std::optional<int>> MaybeReexecInUserNamespace(int argc, char** argv) {
  (void)argc;
  if (geteuid() == 0) return std::optional<int>();
  uid_t uid = getuid();
  gid_t gid = getgid();
  std::string name;
  {
    struct passwd pw, *res = nullptr;
    char buf[4096];
    if (getpwuid_r(uid, &pw, buf, sizeof buf, &res) == 0 && res) name = res->pw_name;
  }
  auto subuid = ReadFileCapped("/etc/subuid", 1 << 20);
  auto subgid = ReadFileCapped("/etc/subgid", 1 << 20);
  UserNamespaceMaps maps = PlanUserNamespaceMaps(uid, gid, name, subuid.ok() ? *subuid : "",
                                                 subgid.ok() ? *subgid : "");
  if (!maps.warning.empty()) SHALE_LOG(Warning) << maps.warning;

  // The child's environment: ours plus the markers.
  std::vector<std::string> env_store;
  for (char** e = environ; *e; ++e) {
    if (strncmp(*e, kRootlessUidEnv, strlen(kRootlessUidEnv)) == 0 ||
        strncmp(*e, kRootlessGidEnv, strlen(kRootlessGidEnv)) == 0) {
      continue;
    }
    env_store.emplace_back(*e);
  }
  env_store.push_back(std::string(kRootlessUidEnv) + "=" + std::to_string(uid));
  env_store.push_back(std::string(kRootlessGidEnv) + "=" + std::to_string(gid));
  std::vector<char*> envp;
  for (auto& e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);

  int go[2];
  if (pipe2(go, O_CLOEXEC) != 0) return ErrnoToStatus(errno, "pipe");
  long pid = syscall(SYS_clone, CLONE_NEWUSER | CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0);
  if (pid < 0) {
    int err = errno;
    close(go[0]);
    close(go[1]);
    return FailedPreconditionError(std::string("cannot create a user namespace: ") + strerror(err) +
                                   " (check /proc/sys/user/max_user_namespaces, or use --isolation "
                                   "chroot as root)");
  }
  if (pid == 0) {
    close(go[1]);
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    char c = 0;
    ssize_t n;
    do {
      n = read(go[0], &c, 1);
    } while (n < 0 && errno == EINTR);
    if (n != 1 || c != 'G') _exit(125);
    execve("/proc/self/exe", argv, envp.data());
    const char msg[] = "shale: re-executing inside the user namespace failed\n";
    ssize_t ignored = write(2, msg, sizeof msg - 1);
    (void)ignored;
    _exit(125);
  }
  close(go[0]);
  Status s = SetUpMaps(static_cast<pid_t>(pid), maps);
  if (!s.ok()) {
    close(go[1]);
    int st;
    waitpid(static_cast<pid_t>(pid), &st, 0);
    return s.Annotate("setting up the rootless user namespace");
  }
  ssize_t w = write(go[1], "G", 1);
  close(go[1]);
  (void)w;
  g_child = static_cast<pid_t>(pid);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = Forward;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaction(sig, &sa, nullptr);
  int st = 0;
  while (waitpid(static_cast<pid_t>(pid), &st, 0) < 0) {
    if (errno != EINTR) return ErrnoToStatus(errno, "waiting for the rootless copy of shale");
  }
  if (WIFSIGNALED(st)) return std::optional<int>(128 + WTERMSIG(st));
  return std::optional<int>(WEXITSTATUS(st));
}

}  // namespace shale::runtime
