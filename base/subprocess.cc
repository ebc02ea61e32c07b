#include "base/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

#include "base/fd.h"

extern char** environ;

namespace shale {
namespace {

Status MakePipe(UniqueFd* read_end, UniqueFd* write_end) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return ErrnoToStatus(errno, "pipe");
  *read_end = UniqueFd(p[0]);
  *write_end = UniqueFd(p[1]);
  return Status::Ok();
}

}  // namespace

Result<ProcessResult> RunProcess(const std::vector<std::string>& argv, const ProcessOptions& options) {
  if (argv.empty() || argv[0].empty()) return InvalidArgumentError("no program to run");
  std::signal(SIGPIPE, SIG_IGN);  // a child that exits early must not kill us
  UniqueFd in_r, in_w, out_r, out_w, err_r, err_w;
  bool feed = options.stdin_fd < 0;
  if (feed) RETURN_IF_ERROR(MakePipe(&in_r, &in_w));
  RETURN_IF_ERROR(MakePipe(&out_r, &out_w));
  if (options.capture_stderr) RETURN_IF_ERROR(MakePipe(&err_r, &err_w));

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, feed ? in_r.get() : options.stdin_fd, 0);
  posix_spawn_file_actions_adddup2(&fa, out_w.get(), 1);
  if (options.capture_stderr) {
    posix_spawn_file_actions_adddup2(&fa, err_w.get(), 2);
  } else {
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  }
  std::vector<std::string> args = argv;
  std::vector<char*> cargv;
  for (auto& a : args) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, cargv[0], &fa, nullptr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return ErrnoToStatus(rc, "running " + argv[0]);
  in_r.Reset();
  out_w.Reset();
  err_w.Reset();

  ProcessResult result;
  size_t fed = 0;
  if (feed && options.stdin_data.empty()) in_w.Reset();
  if (in_w.valid()) ::fcntl(in_w.get(), F_SETFL, ::fcntl(in_w.get(), F_GETFL) | O_NONBLOCK);
  while (in_w.valid() || out_r.valid() || err_r.valid()) {
    struct pollfd fds[3] = {{in_w.valid() ? in_w.get() : -1, POLLOUT, 0},
                            {out_r.valid() ? out_r.get() : -1, POLLIN, 0},
                            {err_r.valid() ? err_r.get() : -1, POLLIN, 0}};
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents != 0) {
      ssize_t n = ::write(in_w.get(), options.stdin_data.data() + fed, options.stdin_data.size() - fed);
      if (n > 0) fed += static_cast<size_t>(n);
      // Done, or the child stopped reading (EPIPE): its exit status tells.
      if (fed == options.stdin_data.size() || (n < 0 && errno != EAGAIN && errno != EINTR)) in_w.Reset();
    }
    for (int i = 1; i < 3; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[65536];
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        (i == 1 ? out_r : err_r).Reset();
        continue;
      }
      std::string& dst = i == 1 ? result.out : result.err;
      if (dst.size() + static_cast<size_t>(n) > options.max_output) {
        result.truncated = true;
      } else {
        dst.append(buf, static_cast<size_t>(n));
      }
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace shale
