#include "runtime/oci_backend.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <nlohmann/json.hpp>

#include "base/fd.h"
#include "base/text.h"
#include "runtime/capabilities.h"
#include "runtime/host_features.h"
#include "runtime/internal/etc_files.h"
#include "runtime/oci_config.h"
#include "runtime/rootfs_prep.h"
#include "base/safe_path.h"
#include "runtime/step_init.h"
#include "runtime/userns_reexec.h"

extern char** environ;

namespace shale::runtime {
namespace {

std::atomic<unsigned> g_counter{0};

// The error lines of the runtime's JSON log ({"level":"error","msg":...}).
std::string ErrorsFromLog(const std::string& path) {
  auto text = ReadFileCapped(path, 1 << 20);
  if (!text.ok()) return "";
  std::string out;
  for (std::string_view line : SplitLines(*text)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) continue;
    auto level = j.value("level", "");
    if (level != "error" && level != "fatal") continue;
    if (!out.empty()) out += "; ";
    out += j.value("msg", "");
  }
  return out;
}

// Runs args with stdio in/out/err and, when report >= 0, that fd as fd 3.
Result<int> Spawn(const std::vector<std::string>& args, int in, int out, int err, int report) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in, 0);
  posix_spawn_file_actions_adddup2(&fa, out, 1);
  posix_spawn_file_actions_adddup2(&fa, err, 2);
  if (report >= 0) posix_spawn_file_actions_adddup2(&fa, report, 3);
  pid_t pid;
  int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return ErrnoToStatus(rc, "starting " + args[0]);
  int st;
  while (waitpid(pid, &st, 0) < 0) {
    if (errno != EINTR) return ErrnoToStatus(errno, "waiting for " + args[0]);
  }
  return st;
}

}  // namespace

Result<std::unique_ptr<OciBackend>> OciBackend::Create(const std::string& runtime) {
  ASSIGN_OR_RETURN(std::string path, ResolveOciRuntime(runtime));
  return std::unique_ptr<OciBackend>(new OciBackend(path));
}

Result<ExitStatus> OciBackend::Run(const RunSpec& spec) {
  RETURN_IF_ERROR(ValidateRunSpec(spec));
  if (geteuid() != 0) {
    return FailedPreconditionError("the oci backend runs " + runtime_ +
                                   " as root or inside shale's user namespace (shale build and run-step "
                                   "enter it for ordinary users); this process has euid " +
                                   std::to_string(geteuid()));
  }
  {
    int root = ::open(spec.rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0) return ErrnoToStatus(errno, "rootfs " + spec.rootfs);
    UniqueFd guard(root);
    auto cwd = OpenInRoot(root, spec.cwd, O_PATH | O_DIRECTORY);
    if (!cwd.ok()) return cwd.status().Annotate("working directory");
  }
  ASSIGN_OR_RETURN(auto scratch, internal::ScratchDir::Create("shale-oci-"));
  ASSIGN_OR_RETURN(EtcFileSources etc, internal::WriteEtcFiles(scratch.path(), spec));
  const bool userns = ProbeHostFeatures().in_user_namespace;
  std::string init = scratch.path() + "/init";
  RETURN_IF_ERROR(WriteStepInit(init));
  // The runtime cannot grant what this process's bounding set lacks (it
  // would fail the step): such capabilities stay absent, as in the other
  // backends.
  RunSpec held = spec;
  held.capabilities &= BoundingCapabilities();
  ASSIGN_OR_RETURN(std::string config, MakeOciConfig(held, etc, userns, init));
  std::string bundle = scratch.path() + "/bundle";
  RETURN_IF_ERROR(MakeDirs(bundle, 0700));
  RETURN_IF_ERROR(WriteFileAtomic(bundle + "/config.json", config, 0600));
  std::string state = scratch.path() + "/state";
  RETURN_IF_ERROR(MakeDirs(state, 0700));
  std::string log = scratch.path() + "/runtime.log";
  std::string id = "shale-" + std::to_string(getpid()) + "-" + std::to_string(g_counter.fetch_add(1));

  ASSIGN_OR_RETURN(RootfsPreparation prep, RootfsPreparation::Apply(spec.rootfs, OciPrepOps(spec, etc)));
  UniqueFd devnull;
  int in = spec.stdin_fd;
  if (in < 0) {
    devnull.Reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (!devnull.valid()) return ErrnoToStatus(errno, "opening /dev/null");
    in = devnull.get();
  }
  // The init's report pipe, kept above the stdio fds so the dup2s in
  // Spawn cannot clobber it.
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) != 0) return ErrnoToStatus(errno, "pipe");
  UniqueFd report_read(pipe_fds[0]);
  UniqueFd report_write(fcntl(pipe_fds[1], F_DUPFD_CLOEXEC, 10));
  ::close(pipe_fds[1]);
  if (!report_write.valid()) return ErrnoToStatus(errno, "dup");
  auto st = Spawn({runtime_, "--root", state, "--log", log, "--log-format", "json", "run", "--preserve-fds", "1",
                   "--bundle", bundle, id},
                  in, spec.stdout_fd, spec.stderr_fd, report_write.get());
  report_write.Reset();
  std::vector<std::string> touched = prep.Undo();
  if (!st.ok()) return st.status();
  std::string report;
  {
    char buf[64];
    ssize_t n;
    while ((n = ::read(report_read.get(), buf, sizeof buf)) > 0 && report.size() < 256) report.append(buf, n);
  }
  if (auto r = ParseStepInitReport(report, spec.args[0])) {
    if (!r->ok()) return r->status();
    ExitStatus out = **r;
    out.touched_dirs = std::move(touched);
    return out;
  }
  std::string errors = ErrorsFromLog(log);
  ExitStatus out;
  out.touched_dirs = std::move(touched);
  if (WIFSIGNALED(*st)) return InternalError("OCI runtime " + runtime_ + " killed by signal " + std::to_string(WTERMSIG(*st)));
  out.exit_code = WEXITSTATUS(*st);
  if (!errors.empty()) {
    std::string msg = "running step with " + runtime_ + ": " + errors;
    if (errors.find("executable file not found") != std::string::npos ||
        errors.find("no such file or directory") != std::string::npos) {
      return NotFoundError(msg);
    }
    return FailedPreconditionError(msg);
  }
  return out;
}

}  // namespace shale::runtime
