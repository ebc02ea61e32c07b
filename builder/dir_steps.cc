#include "builder/dir_steps.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <deque>
#include <vector>

#include "base/fd.h"
#include "base/text.h"
#include "builder/config_ops.h"

namespace shale {
namespace {

constexpr int kMaxSymlinks = 40;  // as the kernel's path walk

// Puts the components of `path` in front of `out`, in order.
void PushComponents(std::string_view path, std::deque<std::string>* out) {
  std::vector<std::string_view> comps = PathComponents(path);
  out->insert(out->begin(), comps.begin(), comps.end());
}

}  // namespace

Status MakeDirInRoot(int rootfs_fd, const std::string& path, uint32_t uid, uint32_t gid) {
  // One fd per level walked, so ".." pops back to an fd we hold and can
  // never climb above the root, whatever was renamed meanwhile.
  std::vector<UniqueFd> stack;
  stack.emplace_back(::fcntl(rootfs_fd, F_DUPFD_CLOEXEC, 0));
  if (!stack.back().valid()) return ErrnoToStatus(errno, "dup rootfs fd");
  std::deque<std::string> pending;
  PushComponents(path, &pending);
  int links = 0;
  while (!pending.empty()) {
    std::string c = std::move(pending.front());
    pending.pop_front();
    if (c == ".") continue;
    if (c == "..") {
      if (stack.size() > 1) stack.pop_back();
      continue;
    }
    int cur = stack.back().get();
    struct stat st;
    if (::fstatat(cur, c.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno != ENOENT) return ErrnoToStatus(errno, "stat " + c + " (making " + path + ")");
      if (::mkdirat(cur, c.c_str(), 0755) != 0 && errno != EEXIST)
        return ErrnoToStatus(errno, "mkdir " + c + " (making " + path + ")");
      UniqueFd fd(::openat(cur, c.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!fd.valid()) return ErrnoToStatus(errno, "open " + c + " (making " + path + ")");
      if (::fchown(fd.get(), uid, gid) != 0 && errno != EPERM) return ErrnoToStatus(errno, "chown " + path);
      if (::fchmod(fd.get(), 0755) != 0) return ErrnoToStatus(errno, "chmod " + path);
      stack.push_back(std::move(fd));
      continue;
    }
    if (S_ISLNK(st.st_mode)) {
      if (++links > kMaxSymlinks) return InvalidArgumentError("open " + path + ": too many levels of symbolic links");
      std::string target(static_cast<size_t>(st.st_size) + 256, '\0');
      ssize_t n = ::readlinkat(cur, c.c_str(), target.data(), target.size());
      if (n < 0) return ErrnoToStatus(errno, "readlink " + c + " (making " + path + ")");
      target.resize(static_cast<size_t>(n));
      // The link is resolved inside the root: absolute targets restart there.
      if (!target.empty() && target[0] == '/') stack.resize(1);
      PushComponents(target, &pending);
      continue;
    }
    if (!S_ISDIR(st.st_mode))
      return FailedPreconditionError("making " + path + ": \"" + c + "\" exists and is not a directory");
    UniqueFd fd(::openat(cur, c.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid()) return ErrnoToStatus(errno, "open " + c + " (making " + path + ")");
    stack.push_back(std::move(fd));
  }
  return Status();
}

namespace internal {

Status ExecuteVolume(BuildContext& ctx, int step, StageState& state) {
  const frontend::Step& s = ctx.graph.steps[step];
  RETURN_IF_ERROR(ApplyMetadataStep(ctx.graph, step, &state.config, &state.cfg));
  RETURN_IF_ERROR(EnsureTree(ctx, state));
  UniqueFd root_fd(::open(state.tree->rootfs().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root_fd.valid()) return ErrnoToStatus(errno, "open rootfs");
  for (const std::string& volume : std::get<frontend::VolumeOp>(s.op).paths) {
    Status made = MakeDirInRoot(root_fd.get(), volume, 0, 0);
    if (!made.ok())
      return Status(made.code(), "building at STEP \"" + frontend::StepDisplay(s) +
                                     "\": ensuring volume path exists: " + std::string(made.message()));
  }
  return CommitStep(ctx, step, state, {});
}

}  // namespace internal
}  // namespace shale
