#include "tests/testutil/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/digest.h"

extern char** environ;

namespace shale::testing {

namespace fs = std::filesystem;

CommandResult Run(const std::vector<std::string>& argv, const CommandOptions& options) {
  CommandResult result;
  int out[2], in[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(in, O_CLOEXEC) != 0) {
    result.output = "pipe failed";
    return result;
  }
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    std::string kv(*e);
    std::string key = kv.substr(0, kv.find('='));
    if (options.env.count(key)) continue;
    bool unset = false;
    for (const auto& u : options.unset_env) unset |= (u == key);
    if (!unset) env_strings.push_back(kv);
  }
  for (const auto& [k, v] : options.env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp, args;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (auto& a : argv_copy) args.push_back(a.data());
  args.push_back(nullptr);

  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(out[1], 2);
    if (!options.cwd.empty() && chdir(options.cwd.c_str()) != 0) _exit(127);
    execvpe(args[0], args.data(), envp.data());
    _exit(127);
  }
  close(out[1]);
  close(in[0]);
  if (!options.stdin_data.empty()) {
    const char* p = options.stdin_data.data();
    size_t left = options.stdin_data.size();
    while (left > 0) {
      ssize_t n = write(in[1], p, left);
      if (n <= 0) break;
      p += n;
      left -= static_cast<size_t>(n);
    }
  }
  close(in[1]);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(options.timeout_seconds);
  char buf[65536];
  while (true) {
    struct pollfd pfd = {out[0], POLLIN, 0};
    int ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                  deadline - std::chrono::steady_clock::now()).count());
    if (ms <= 0) {
      kill(-pid, SIGKILL);
      result.output += "\n[test harness: timed out after " + std::to_string(options.timeout_seconds) + "s]\n";
      break;
    }
    int r = poll(&pfd, 1, ms);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    ssize_t n = read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    result.output.append(buf, static_cast<size_t>(n));
  }
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  }
  return result;
}

std::string SourceDir() { return SHALE_SOURCE_DIR; }
std::string ShaleBinary() { return std::string(SHALE_BINARY_DIR) + "/builder/cli/shale"; }

std::string ConformanceDir() {
  for (const char* c : {"/../shared/conformance"}) {
    std::string p = SourceDir() + c;
    if (fs::is_directory(p)) return fs::canonical(p).string();
  }
  return "";
}

ScratchDir::ScratchDir(const std::string& prefix) {
  const char* tmp = std::getenv("TMPDIR");
  std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/" + prefix + "-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) std::abort();
  chmod(tmpl.c_str(), 0755);
  path_ = tmpl;
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
  if (ec) Run({"rm", "-rf", path_});
}

void WriteFile(const std::string& path, const std::string& data, int mode) {
  fs::create_directories(fs::path(path).parent_path());
  {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << data;
  }
  chmod(path.c_str(), static_cast<mode_t>(mode));
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

bool HaveTool(const std::string& tool) {
  return Run({"sh", "-c", "command -v " + tool + " >/dev/null"}).exit_code == 0;
}

std::string BaseRootfsTarball(const std::string& name, std::string* why) {
  std::string script = SourceDir() + "/tests/fixtures/rootfs.sh";
  std::string key = Digest::Sha256(ReadFile(script)).Short();
  const char* home = std::getenv("HOME");
  std::string cache = std::string(home && *home ? home : "/tmp") + "/.cache/shale-fixtures";
  std::string tarball = cache + "/" + name + "-" + key + ".tar";
  if (fs::exists(tarball)) return tarball;
  fs::create_directories(cache);
  // flock so that parallel tests make it once.
  CommandResult r = Run({"flock", cache + "/.lock", "sh", "-c",
                         "[ -s '" + tarball + "' ] || bash '" + script + "' " + name + " '" + tarball + "'"});
  if (r.exit_code != 0) {
    if (why) *why = "cannot make the " + name + " rootfs: " + r.output;
    return "";
  }
  return tarball;
}

std::string ImportBaseImage(const std::string& root, const std::string& name) {
  std::string why;
  std::string tarball = BaseRootfsTarball(name, &why);
  if (tarball.empty()) return why;
  CommandResult cfg = Run({"bash", SourceDir() + "/tests/fixtures/rootfs.sh", "config", name});
  if (cfg.exit_code != 0) return cfg.output;
  std::vector<std::string> argv = {ShaleBinary(), "--root", root, "import"};
  std::istringstream lines(cfg.output);
  for (std::string line; std::getline(lines, line);) argv.push_back(line);
  argv.push_back(tarball);
  argv.push_back(name + ":latest");
  CommandResult r = Run(argv, {.env = {{"SOURCE_DATE_EPOCH", "1704067200"}}});
  if (r.exit_code != 0) return "shale import failed: " + r.output;
  std::vector<std::string> aliases;
  if (name == "golang") aliases.push_back("golang:bookworm");
  if (name == "busybox") aliases.push_back("runtime:latest");
  for (const auto& alias : aliases) {
    CommandResult t = Run({ShaleBinary(), "--root", root, "tag", name + ":latest", alias});
    if (t.exit_code != 0) return "shale tag failed: " + t.output;
  }
  return "";
}

}  // namespace shale::testing
