// shale-step-init: the PID 1 the oci backend puts in front of a RUN step.
//
// Under runc/crun the container's first process is PID 1 of its PID
// namespace: the kernel drops the signals it sends itself (`kill $$` does
// nothing) and the runtime reports a signal death as exit code 128+N. This
// init runs the step as PID 2 instead, forwards every signal it receives to
// it, reaps orphans, and when the step ends writes one line to fd 3 (a pipe
// from shale, passed with --preserve-fds) saying exactly how it ended:
//
//   "exit N\n"     the step exited with status N
//   "signal N\n"   the step was killed by signal N
//   "exec E\n"     execvp(argv[1]) failed with errno E (nothing ran)
//
// then exits with N, 128+N or 127. The report fd is close-on-exec, so the
// step never sees it.
//
// Usage (inside the container): shale-step-init STEP-ARGV...; the step's
// environment is init's own, and a name without '/' is searched in its PATH
// (RunSpec's default search path when it has none).
//
// Built as a static executable and embedded in libshale_runtime (see
// runtime/step_init.h), so it runs in any rootfs, with or without a libc.
// Single-threaded plain libc; no C++ runtime.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

constexpr int kReportFd = 3;

void Report(const char* what, int value) {
  char line[48];
  int n = snprintf(line, sizeof line, "%s %d\n", what, value);
  if (n > 0) {
    ssize_t ignored = write(kReportFd, line, static_cast<size_t>(n));
    (void)ignored;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    static const char kUsage[] = "usage: shale-step-init COMMAND [ARG...]\n";
    ssize_t ignored = write(2, kUsage, sizeof kUsage - 1);
    (void)ignored;
    return 125;
  }
  fcntl(kReportFd, F_SETFD, FD_CLOEXEC);
  // Every signal stays pending until sigwaitinfo() takes it: blocked
  // signals reach PID 1 even without a handler.
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &old);
  int exec_pipe[2];
  if (pipe2(exec_pipe, O_CLOEXEC) != 0) {
    Report("exec", errno);
    return 127;
  }
  pid_t child = fork();
  if (child < 0) {
    Report("exec", errno);
    return 127;
  }
  if (child == 0) {
    sigprocmask(SIG_SETMASK, &old, nullptr);
    int err = ENOENT;
    if (strchr(argv[1], '/') != nullptr || getenv("PATH") != nullptr) {
      execvp(argv[1], argv + 1);
      err = errno;
    } else {
      // No PATH in the step's environment: RunSpec's default search path.
      static const char* const kDirs[] = {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin",
                                          "/usr/bin",        "/sbin",          "/bin"};
      char path[4096];
      for (const char* dir : kDirs) {
        int n = snprintf(path, sizeof path, "%s/%s", dir, argv[1]);
        if (n <= 0 || static_cast<size_t>(n) >= sizeof path) continue;
        execv(path, argv + 1);
        if (errno != ENOENT && errno != ENOTDIR) err = errno;
      }
    }
    ssize_t ignored = write(exec_pipe[1], &err, sizeof err);
    (void)ignored;
    _exit(127);
  }
  close(exec_pipe[1]);
  int exec_errno = 0;
  ssize_t got;
  do {
    got = read(exec_pipe[0], &exec_errno, sizeof exec_errno);
  } while (got < 0 && errno == EINTR);
  close(exec_pipe[0]);
  if (got == static_cast<ssize_t>(sizeof exec_errno)) {
    waitpid(child, nullptr, 0);
    Report("exec", exec_errno);
    return 127;
  }
  for (;;) {
    siginfo_t info;
    int sig = sigwaitinfo(&all, &info);
    if (sig < 0) continue;  // EINTR (stop/continue)
    if (sig != SIGCHLD) {
      kill(child, sig);
      continue;
    }
    for (;;) {
      int status;
      pid_t pid = waitpid(-1, &status, WNOHANG);
      if (pid <= 0) break;
      if (pid != child) continue;  // a reaped orphan
      if (WIFSIGNALED(status)) {
        Report("signal", WTERMSIG(status));
        return 128 + WTERMSIG(status);
      }
      Report("exit", WEXITSTATUS(status));
      return WEXITSTATUS(status);
    }
  }
}
