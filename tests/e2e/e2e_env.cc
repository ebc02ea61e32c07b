#include "tests/e2e/e2e_env.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

namespace shale::testing::e2e {

namespace fs = std::filesystem;

CommandResult Shale(const std::string& root, const std::vector<std::string>& args, const CommandOptions& options) {
  std::vector<std::string> argv{ShaleBinary(), "--root", root};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandOptions o = options;
  for (const char* v : {"BUILDAH_ISOLATION", "SHALE_ISOLATION", "BUILDAH_FORMAT", "BUILDAH_LAYERS",
                        "SOURCE_DATE_EPOCH", "REGISTRY_AUTH_FILE", "SHALE_ROOT", "STORAGE_DRIVER"}) {
    if (!o.env.count(v)) o.unset_env.push_back(v);
  }
  if (!o.env.count("CONTAINERS_REGISTRIES_CONF")) o.env["CONTAINERS_REGISTRIES_CONF"] = "/nonexistent/registries.conf";
  return Run(argv, o);
}

std::string PrepareSeedStore(const std::string& root) {
  for (const char* name : {"busybox", "golang"}) {
    std::string err = ImportBaseImage(root, name);
    if (!err.empty()) return std::string(name) + ": " + err;
  }
  return "";
}

std::string CopySeedContext(const std::string& dir) {
  fs::create_directories(dir);
  fs::copy(SourceDir() + "/testdata/seed", dir, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  return dir;
}

ImageIds InspectIds(const std::string& root, const std::string& image, const CommandOptions& options) {
  ImageIds ids;
  CommandResult r = Shale(root, {"inspect", "--format", "{{.Id}} {{.Digest}}", image}, options);
  if (r.exit_code != 0) return ids;
  std::istringstream in(r.output);
  in >> ids.id >> ids.digest;
  return ids;
}

int StepStats::CacheHits() const {
  int n = 0;
  for (const auto& [step, hit] : cache_hit) n += hit ? 1 : 0;
  return n;
}

StepStats ParseJsonProgress(const std::string& output) {
  StepStats stats;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] != '{') continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.contains("event")) continue;
    std::string event = j["event"].get<std::string>();
    if (event == "cache") {
      stats.cache_hit[j["step"].get<int>()] = j["hit"].get<bool>();
    } else if (event == "done") {
      stats.executed.push_back(j["step"].get<int>());
    } else if (event == "commit") {
      stats.commit_id = j["id"].get<std::string>();
    }
  }
  return stats;
}

int CountOf(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + needle.size())) ++n;
  return n;
}

TestUser EnsureTestUser(std::string* why) {
  constexpr char kName[] = "shale-e2e";
  TestUser user;
  if (geteuid() != 0) {
    *why = "needs root to create the test user";
    return user;
  }
  for (const char* tool : {"useradd", "usermod", "setpriv", "newuidmap", "newgidmap"}) {
    if (!HaveTool(tool)) {
      *why = std::string(tool) + " not installed (uidmap/passwd)";
      return user;
    }
  }
  if (Run({"id", kName}).exit_code != 0) {
    // No home directory: tests give the user a scratch HOME.
    CommandResult r = Run({"useradd", "--system", "--no-create-home", "--shell", "/bin/sh", kName});
    if (r.exit_code != 0 && Run({"id", kName}).exit_code != 0) {
      *why = "useradd failed: " + r.output;
      return user;
    }
  }
  // One range for both files; usermod appends, so add it only when missing.
  for (const char* file : {"/etc/subuid", "/etc/subgid"}) {
    if (ReadFile(file).find(std::string(kName) + ":") != std::string::npos) continue;
    std::string flag = std::string(file) == "/etc/subuid" ? "--add-subuids" : "--add-subgids";
    CommandResult r = Run({"usermod", flag, "600000-665535", kName});
    if (r.exit_code != 0) {
      *why = "usermod " + flag + " failed: " + r.output;
      return user;
    }
  }
  std::string uid = TrimRight(Run({"id", "-u", kName}).output);
  std::string gid = TrimRight(Run({"id", "-g", kName}).output);
  user.uid = static_cast<uid_t>(std::stoul(uid));
  user.gid = static_cast<gid_t>(std::stoul(gid));
  user.name = kName;
  return user;
}

CommandResult RunAs(const TestUser& user, const std::string& home, const std::vector<std::string>& argv,
                    CommandOptions options) {
  std::vector<std::string> full{"setpriv", "--reuid", std::to_string(user.uid), "--regid", std::to_string(user.gid),
                                "--init-groups", "--reset-env", "--"};
  // setpriv --reset-env keeps only a few variables: pass ours through env(1).
  full.push_back("env");
  options.env["HOME"] = home;
  options.env["TMPDIR"] = home + "/tmp";
  options.env["USER"] = user.name;
  options.env["LOGNAME"] = user.name;
  options.env["XDG_RUNTIME_DIR"] = home + "/run";
  options.env["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (const auto& [k, v] : options.env) full.push_back(k + "=" + v);
  options.env.clear();
  full.insert(full.end(), argv.begin(), argv.end());
  return Run(full, options);
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv,
                                     const std::map<std::string, std::string>& env, const std::string& log_path) {
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp, args;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (auto& a : argv_copy) args.push_back(a.data());
  args.push_back(nullptr);
  pid_ = fork();
  if (pid_ == 0) {
    setpgid(0, 0);
    int out = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (out >= 0) {
      dup2(out, 1);
      dup2(out, 2);
    }
    if (devnull >= 0) dup2(devnull, 0);
    execvpe(args[0], args.data(), envp.data());
    _exit(127);
  }
  if (pid_ > 0) setpgid(pid_, pid_);
}

bool BackgroundProcess::Running() {
  if (pid_ <= 0 || reaped_) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    reaped_ = true;
    return false;
  }
  return true;
}

BackgroundProcess::~BackgroundProcess() {
  if (pid_ <= 0 || reaped_) return;
  kill(-pid_, SIGTERM);
  for (int i = 0; i < 50; ++i) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(-pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
}

std::string WaitForHttp(const std::string& url, int seconds, std::string* why) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (true) {
    CommandResult r = Run({"curl", "-sS", "--fail", "--noproxy", "*", "--max-time", "2", url}, {.timeout_seconds = 10});
    if (r.exit_code == 0) return r.output;
    if (why) *why = r.output;
    if (std::chrono::steady_clock::now() > deadline) return "";
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

std::string TrimRight(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r' || s.back() == '\t')) s.pop_back();
  return s;
}

}  // namespace shale::testing::e2e
