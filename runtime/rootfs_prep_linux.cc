#include "runtime/rootfs_prep.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string.h>

#include <algorithm>

#include "base/log.h"
#include "base/safe_path.h"

namespace shale::runtime {
namespace {

std::string ParentOf(const std::string& clean) {
  size_t slash = clean.rfind('/');
  return slash == 0 ? "/" : clean.substr(0, slash);
}

bool Exists(int root, const std::string& path) {
  int fd = OpenInRootRaw(root, path.c_str(), O_PATH, 0);
  if (fd >= 0) close(fd);
  return fd >= 0;
}

}  // namespace

Result<RootfsPreparation> RootfsPreparation::Apply(const std::string& rootfs, const std::vector<PrepOp>& ops) {
  RootfsPreparation prep;
  int fd = ::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoToStatus(errno, "opening rootfs " + rootfs);
  prep.root_.Reset(fd);
  for (const auto& op : ops) {
    Status s = prep.ApplyOne(op);
    if (s.ok()) continue;
    if (op.optional) {
      prep.skipped_.push_back(op.path + ": " + s.ToString());
      continue;
    }
    prep.Undo();
    return s.Annotate("preparing " + op.path + " in the rootfs");
  }
  for (auto& t : prep.touched_) {
    auto dir = OpenInRoot(prep.root_.get(), t.path, O_PATH | O_DIRECTORY);
    struct stat st;
    if (dir.ok() && fstat(dir->get(), &st) == 0) t.after_mtime = st.st_mtim;
  }
  return prep;
}

Status RootfsPreparation::Touch(const std::string& dir) {
  for (const auto& t : touched_) {
    if (t.path == dir) return Status::Ok();
  }
  ASSIGN_OR_RETURN(UniqueFd fd, OpenInRoot(root_.get(), dir, O_PATH | O_DIRECTORY));
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return ErrnoToStatus(errno, "stat " + dir);
  Touched t;
  t.path = dir;
  t.before[0] = st.st_atim;
  t.before[1] = st.st_mtim;
  t.after_mtime = st.st_mtim;
  touched_.push_back(t);
  return Status::Ok();
}

Status RootfsPreparation::EnsureDirs(const std::string& path) {
  if (path == "/" || Exists(root_.get(), path)) return Status::Ok();
  RETURN_IF_ERROR(EnsureDirs(ParentOf(path)));
  ASSIGN_OR_RETURN(ParentAndName pn, OpenParentInRoot(root_.get(), path));
  RETURN_IF_ERROR(Touch(ParentOf(path)));
  if (mkdirat(pn.parent.get(), pn.name.c_str(), 0755) != 0) {
    if (errno == EEXIST) {
      return FailedPreconditionError(path + " exists but is not a directory (or is a dangling symlink)");
    }
    return ErrnoToStatus(errno, "mkdir " + path);
  }
  created_.push_back({path, S_IFDIR});
  return Status::Ok();
}

Status RootfsPreparation::ApplyOne(const PrepOp& op) {
  std::string path = CleanRootPath(op.path);
  if (Exists(root_.get(), path)) return Status::Ok();
  PrepOp::Kind kind = op.kind;
  if (kind == PrepOp::Kind::kMountTarget) {
    struct stat st;
    if (stat(op.source.c_str(), &st) != 0) return ErrnoToStatus(errno, "mount source " + op.source);
    kind = S_ISDIR(st.st_mode) ? PrepOp::Kind::kDir : PrepOp::Kind::kFile;
  }
  if (kind == PrepOp::Kind::kDir) return EnsureDirs(path);
  RETURN_IF_ERROR(EnsureDirs(ParentOf(path)));
  ASSIGN_OR_RETURN(ParentAndName pn, OpenParentInRoot(root_.get(), path));
  RETURN_IF_ERROR(Touch(ParentOf(path)));
  const char* name = pn.name.c_str();
  switch (kind) {
    case PrepOp::Kind::kDevice:
      if (mknodat(pn.parent.get(), name, op.mode, op.dev) != 0) return ErrnoToStatus(errno, "mknod " + path);
      created_.push_back({path, S_IFCHR});
      // mknod honours the umask; devices must be 0666.
      {
        int fd = openat(pn.parent.get(), name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0) {
          std::string proc = "/proc/self/fd/" + std::to_string(fd);
          (void)chmod(proc.c_str(), op.mode & 07777);
          close(fd);
        }
      }
      return Status::Ok();
    case PrepOp::Kind::kFile:
    case PrepOp::Kind::kCopyFile: {
      std::string content;
      if (kind == PrepOp::Kind::kCopyFile) {
        ASSIGN_OR_RETURN(content, ReadFileCapped(op.source, 1 << 20));
      }
      int fd = openat(pn.parent.get(), name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                      op.mode ? op.mode : 0644);
      if (fd < 0) {
        if (errno == EEXIST) return FailedPreconditionError(path + " is a dangling symlink");
        return ErrnoToStatus(errno, "creating " + path);
      }
      UniqueFd f(fd);
      created_.push_back({path, S_IFREG});
      RETURN_IF_ERROR(WriteAll(fd, content));
      if (fchmod(fd, op.mode ? op.mode : 0644) != 0) return ErrnoToStatus(errno, "chmod " + path);
      return Status::Ok();
    }
    default:
      return InternalError("unknown prepare op");
  }
}

std::vector<std::string> RootfsPreparation::created() const {
  std::vector<std::string> out;
  for (const auto& c : created_) out.push_back(c.path);
  return out;
}

std::vector<std::string> RootfsPreparation::Undo() {
  std::vector<std::string> touched;
  if (undone_ || !root_.valid()) return touched;
  undone_ = true;
  std::vector<bool> restore(touched_.size(), false);
  for (size_t i = 0; i < touched_.size(); ++i) {
    auto dir = OpenInRoot(root_.get(), touched_[i].path, O_PATH | O_DIRECTORY);
    struct stat st;
    restore[i] = dir.ok() && fstat(dir->get(), &st) == 0 &&
                 st.st_mtim.tv_sec == touched_[i].after_mtime.tv_sec &&
                 st.st_mtim.tv_nsec == touched_[i].after_mtime.tv_nsec;
  }
  for (auto it = created_.rbegin(); it != created_.rend(); ++it) {
    auto pn = OpenParentInRoot(root_.get(), it->path);
    if (!pn.ok()) {
      SHALE_LOG(Warning) << "cannot remove " << it->path << " from the rootfs: " << pn.status().ToString();
      continue;
    }
    struct stat st;
    if (fstatat(pn->parent.get(), pn->name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if ((st.st_mode & S_IFMT) != it->type) {
      SHALE_LOG(Warning) << "not removing " << it->path << ": the step replaced it";
      continue;
    }
    int flags = it->type == S_IFDIR ? AT_REMOVEDIR : 0;
    if (unlinkat(pn->parent.get(), pn->name.c_str(), flags) != 0) {
      SHALE_LOG(Warning) << "cannot remove " << it->path << " from the rootfs: " << strerror(errno);
    }
  }
  for (size_t i = 0; i < touched_.size(); ++i) {
    bool ours = false;
    for (const auto& c : created_) ours = ours || c.path == touched_[i].path;
    if (ours) continue;
    touched.push_back(touched_[i].path);
    if (!restore[i]) continue;
    auto dir = OpenInRoot(root_.get(), touched_[i].path, O_RDONLY | O_DIRECTORY);
    if (dir.ok()) (void)futimens(dir->get(), touched_[i].before);
  }
  std::sort(touched.begin(), touched.end());
  return touched;
}

}  // namespace shale::runtime
