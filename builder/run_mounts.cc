#include "builder/run_mounts.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "base/digest.h"
#include "base/safe_path.h"
#include "storage/snapshot_paths.h"

namespace shale::internal {
namespace {

std::string RealPathOfFd(int fd) {
  char buf[4096];
  std::string link = "/proc/self/fd/" + std::to_string(fd);
  ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
  if (n <= 0) return "";
  return std::string(buf, static_cast<size_t>(n));
}

std::string RandomHex() {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return buf;
}

// Resolves `source` inside the directory `root` (in-root) to a host path.
Result<std::string> ResolvedHostPath(const std::string& root, const std::string& source) {
  UniqueFd root_fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root_fd.valid()) return ErrnoToStatus(errno, "open " + root);
  ASSIGN_OR_RETURN(UniqueFd fd, OpenInRoot(root_fd.get(), source.empty() ? "." : source, O_PATH));
  std::string path = RealPathOfFd(fd.get());
  if (path.empty()) return InternalError("cannot name the mount source " + source);
  return path;
}

// A mount target as written may be relative: buildah takes it from WORKDIR.
std::string MountTarget(const std::string& target, const std::string& workdir) {
  if (target.empty() || target[0] == '/') return target;
  std::string base = workdir.empty() ? "/" : workdir;
  if (base.back() != '/') base += '/';
  return base + target;
}

}  // namespace

StepScratch::~StepScratch() { dir_.RemoveAndRelease().IgnoreError(); }

Result<std::string> StepScratch::Dir() {
  if (dir_.path().empty()) {
    ASSIGN_OR_RETURN(dir_, NewScratchDir(store_root_, "step"));
  }
  return dir_.path();
}

Result<std::vector<runtime::MountSpec>> PlanMounts(BuildContext& ctx, const frontend::RunOp& run,
                                                   const std::string& workdir, StepScratch& scratch,
                                                   std::vector<UniqueFd>& locks) {
  std::vector<runtime::MountSpec> out;
  for (const auto& m : run.mounts) {
    runtime::MountSpec spec;
    spec.target = MountTarget(m.target, workdir);
    switch (m.type) {
      case frontend::MountType::kBind: {
        std::string root;
        if (m.from.empty()) {
          root = ctx.context_dir;
        } else if (const NamedContext* nc = DirContext(ctx, m.from)) {
          root = nc->dir;
        } else if (m.from_stage >= 0) {
          ASSIGN_OR_RETURN(root, StageRootfs(ctx, m.from_stage));
        } else {
          ASSIGN_OR_RETURN(root, ImageRootfs(ctx, m.from));
        }
        ASSIGN_OR_RETURN(spec.source, ResolvedHostPath(root, m.source));
        spec.readonly = m.readonly;
        break;
      }
      case frontend::MountType::kCache: {
        // Cache ids are hashed: an id can never name a path (SECURITY.md §5).
        std::string dir = ctx.store_root + "/shale/cache-mounts/" + Digest::Sha256(m.id).hex();
        bool fresh = ::access(dir.c_str(), F_OK) != 0;
        RETURN_IF_ERROR(MakeDirs(dir));
        if (fresh) {
          ::chmod(dir.c_str(), m.mode ? static_cast<mode_t>(*m.mode) : 0755);
          if (::chown(dir.c_str(), m.uid.value_or(0), m.gid.value_or(0)) != 0 && errno != EPERM)
            return ErrnoToStatus(errno, "chown cache mount " + m.id);
        }
        if (m.sharing == frontend::CacheSharing::kLocked) {
          UniqueFd lock(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
          if (!lock.valid() || ::flock(lock.get(), LOCK_EX) != 0) return ErrnoToStatus(errno, "lock cache " + m.id);
          locks.push_back(std::move(lock));
        }
        if (!m.source.empty()) {
          ASSIGN_OR_RETURN(spec.source, ResolvedHostPath(dir, m.source));
        } else {
          spec.source = dir;
        }
        spec.readonly = m.readonly;
        break;
      }
      case frontend::MountType::kTmpfs:
        spec.type = runtime::MountSpec::Type::kTmpfs;
        if (m.size_bytes > 0) spec.tmpfs_options = "size=" + std::to_string(m.size_bytes);
        break;
      case frontend::MountType::kSecret: {
        const SecretSpec* found = nullptr;
        for (const auto& s : ctx.options->secrets)
          if (s.id == m.id) found = &s;
        if (found == nullptr) {
          if (m.required) return NotFoundError("secret required but no secret with id \"" + m.id + "\" found (--secret)");
          continue;
        }
        std::string content;
        if (!found->env.empty()) {
          const char* v = std::getenv(found->env.c_str());
          content = v ? v : "";
        } else {
          ASSIGN_OR_RETURN(content, ReadFileCapped(found->src, 1 << 20));
        }
        ASSIGN_OR_RETURN(std::string dir, scratch.Dir());
        std::string file = dir + "/secret-" + RandomHex();
        RETURN_IF_ERROR(WriteFileAtomic(file, content, static_cast<int>(m.mode.value_or(0400))));
        if (::chown(file.c_str(), m.uid.value_or(0), m.gid.value_or(0)) != 0 && errno != EPERM)
          return ErrnoToStatus(errno, "chown secret");
        spec.source = file;
        spec.readonly = true;
        break;
      }
      case frontend::MountType::kSsh:
        if (m.required) return UnimplementedError("RUN --mount=type=ssh is not supported yet");
        continue;
    }
    out.push_back(std::move(spec));
  }
  return out;
}

}  // namespace shale::internal
