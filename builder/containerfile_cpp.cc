#include "builder/containerfile_cpp.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "base/fd.h"

extern char** environ;

namespace shale {
namespace {

constexpr size_t kMaxOutput = 16u << 20;

bool FindInPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  std::stringstream ss(dirs);
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    std::string p = (dir.empty() ? "." : dir) + "/" + name;
    if (::access(p.c_str(), X_OK) == 0) return true;
  }
  return false;
}

// cpp's stderr as one line: its source excerpts ("  1 | ...", "    |   ^")
// dropped, the rest joined with blanks.
std::string OneLine(const std::string& text) {
  std::stringstream ss(text);
  std::string line, out;
  while (std::getline(ss, line)) {
    size_t bar = line.find(" | ");
    bool excerpt = bar != std::string::npos && line.find_first_not_of(" 0123456789") == bar + 1;
    if (excerpt || line.find_first_not_of(" \t") == std::string::npos) continue;
    if (!out.empty()) out += ' ';
    out += line;
  }
  return out;
}

}  // namespace

bool NeedsPreprocessing(const std::string& path) { return path.size() > 3 && path.ends_with(".in"); }

Result<PreprocessedFile> PreprocessContainerfile(const std::string& path, const std::string& context_dir,
                                                 const std::vector<std::string>& cpp_flags) {
  if (!FindInPath("cpp"))
    return FailedPreconditionError("preprocessing " + path +
                                   ": Containerfiles ending in .in need cpp (Debian package cpp), which is not installed");
  std::vector<std::string> args = {"cpp", "-E", "-iquote", context_dir, "-traditional", "-undef", "-"};
  if (const char* env = std::getenv("BUILDAH_CPPFLAGS")) {
    std::stringstream ss(env);
    std::string word;
    while (ss >> word) args.push_back(word);
  }
  args.insert(args.end(), cpp_flags.begin(), cpp_flags.end());

  UniqueFd in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.valid()) return ErrnoToStatus(errno, "open " + path);
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return ErrnoToStatus(errno, "pipe");
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return ErrnoToStatus(errno, "pipe");
  }
  UniqueFd out_r(out_pipe[0]), out_w(out_pipe[1]), err_r(err_pipe[0]), err_w(err_pipe[1]);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in.get(), 0);
  posix_spawn_file_actions_adddup2(&fa, out_w.get(), 1);
  posix_spawn_file_actions_adddup2(&fa, err_w.get(), 2);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, "cpp", &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return ErrnoToStatus(rc, "running cpp");
  out_w.Reset();
  err_w.Reset();

  std::string out, err;
  bool too_big = false;
  struct pollfd fds[2] = {{out_r.get(), POLLIN, 0}, {err_r.get(), POLLIN, 0}};
  int open_fds = 2;
  while (open_fds > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[65536];
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        fds[i].fd = -1;
        --open_fds;
        continue;
      }
      std::string& dst = i == 0 ? out : err;
      if (dst.size() + static_cast<size_t>(n) > kMaxOutput) too_big = true;
      else dst.append(buf, static_cast<size_t>(n));
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (too_big) return ResourceExhaustedError("preprocessing " + path + ": cpp output exceeds 16 MiB");
  bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  PreprocessedFile result;
  result.text = std::move(out);
  if (!ok) {
    if (result.text.empty())
      return InvalidArgumentError("preprocessing " + path + ": cpp failed: " + OneLine(err));
    result.warning = "Ignoring " + OneLine(err);
  }
  return result;
}

}  // namespace shale
