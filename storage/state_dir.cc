#include "storage/state_dir.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <random>

#include "base/fd.h"
#include "base/log.h"
#include "storage/file_lock.h"
#include "storage/store_paths.h"

namespace shale {
namespace {

constexpr char kLockSuffix[] = ".lock";

bool IsOctal(char c) { return c >= '0' && c <= '7'; }

// Mount points at or below `dir` in this mount namespace, deepest first.
// mountinfo escapes ' ', '\t', '\n' and '\\' as octal.
std::vector<std::string> MountsBelow(const std::string& dir) {
  std::vector<std::string> out;
  auto text = ReadFileCapped("/proc/self/mountinfo", 64u << 20);
  if (!text.ok()) return out;
  size_t pos = 0;
  while (pos < text->size()) {
    size_t end = text->find('\n', pos);
    if (end == std::string::npos) end = text->size();
    std::string line = text->substr(pos, end - pos);
    pos = end + 1;
    // id parent major:minor root mount-point ...
    size_t f = 0;
    for (int i = 0; i < 4 && f != std::string::npos; ++i) f = line.find(' ', f + 1);
    if (f == std::string::npos) continue;
    size_t g = line.find(' ', f + 1);
    std::string raw = line.substr(f + 1, g == std::string::npos ? std::string::npos : g - f - 1);
    std::string mp;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '\\' && i + 3 < raw.size() && IsOctal(raw[i + 1]) && IsOctal(raw[i + 2]) && IsOctal(raw[i + 3])) {
        mp.push_back(static_cast<char>((raw[i + 1] - '0') * 64 + (raw[i + 2] - '0') * 8 + (raw[i + 3] - '0')));
        i += 3;
      } else {
        mp.push_back(raw[i]);
      }
    }
    if (mp == dir || mp.rfind(dir + "/", 0) == 0) out.push_back(mp);
  }
  std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return out;
}

// Removes everything below dir_fd that lives on file system `dev`; entries
// on other file systems (mounts that could not be undone) are left alone and
// make the result false.
bool RemoveContents(int dir_fd, dev_t dev, int depth, int64_t* bytes) {
  if (depth > 4096) return false;
  int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  DIR* d = fdopendir(fd);
  if (d == nullptr) {
    close(fd);
    return false;
  }
  bool all = true;
  std::vector<std::string> names;
  while (dirent* de = readdir(d)) {
    std::string n = de->d_name;
    if (n != "." && n != "..") names.push_back(std::move(n));
  }
  for (const std::string& n : names) {
    struct stat st;
    if (fstatat(dirfd(d), n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      all = all && errno == ENOENT;
      continue;
    }
    if (st.st_dev != dev) {
      all = false;
      continue;
    }
    if (S_ISDIR(st.st_mode)) {
      UniqueFd sub(openat(dirfd(d), n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!sub.valid()) {
        all = false;
        continue;
      }
      // An unprivileged owner may have left read-only directories.
      if ((st.st_mode & 0700) != 0700) (void)fchmod(sub.get(), 0700);
      if (!RemoveContents(sub.get(), dev, depth + 1, bytes)) {
        all = false;
        continue;
      }
      if (unlinkat(dirfd(d), n.c_str(), AT_REMOVEDIR) != 0) all = false;
    } else {
      if (unlinkat(dirfd(d), n.c_str(), 0) != 0) {
        all = all && errno == ENOENT;
        continue;
      }
      if (S_ISREG(st.st_mode)) *bytes += st.st_size;
    }
  }
  closedir(d);
  return all;
}

// Removes a dead owner's directory: its mounts first, then its content, on
// its own file system only.
Status RemoveStale(const std::string& path, int64_t* bytes) {
  for (const std::string& mp : MountsBelow(path)) {
    if (::umount2(mp.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) != 0 && errno != EINVAL && errno != ENOENT)
      return ErrnoToStatus(errno, "unmounting " + mp + " left by a dead build");
  }
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return errno == ENOENT ? Status() : ErrnoToStatus(errno, "open " + path);
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return ErrnoToStatus(errno, "stat " + path);
  if ((st.st_mode & 0700) != 0700) (void)fchmod(fd.get(), 0700);
  if (!RemoveContents(fd.get(), st.st_dev, 0, bytes))
    return FailedPreconditionError(path + " holds entries on another file system or that cannot be removed");
  fd.Reset();
  if (::rmdir(path.c_str()) != 0 && errno != ENOENT) return ErrnoToStatus(errno, "rmdir " + path);
  return Status();
}

}  // namespace

StateDir::StateDir(StateDir&&) noexcept = default;
StateDir& StateDir::operator=(StateDir&& other) noexcept {
  if (this != &other) {
    Release();
    path_ = std::move(other.path_);
    lock_ = std::move(other.lock_);
    other.path_.clear();
  }
  return *this;
}
StateDir::~StateDir() { Release(); }

void StateDir::Release() {
  if (lock_.valid()) ::unlink((path_ + kLockSuffix).c_str());
  lock_.Reset();
}

Status StateDir::RemoveAndRelease() {
  Status st;
  if (lock_.valid()) st = RemoveTree(path_);
  Release();
  return st;
}

Result<StateDir> StateDir::Create(const std::string& store_root, const std::string& parent,
                                  const std::string& prefix) {
  static std::atomic<uint64_t> counter{0};
  static thread_local std::mt19937_64 rng(std::random_device{}());
  StorePaths paths(store_root);
  RETURN_IF_ERROR(MakeDirs(paths.private_dir(), 0700));
  RETURN_IF_ERROR(MakeDirs(parent, 0700));
  ASSIGN_OR_RETURN(FileLock gc, FileLock::Acquire(paths.gc_lock(), FileLock::Mode::kShared));
  for (int attempt = 0; attempt < 8; ++attempt) {
    std::string path = parent + "/" + prefix + std::to_string(getpid()) + "-" + std::to_string(++counter) + "-" +
                       std::to_string(rng() % 1000000000);
    std::string lock_path = path + kLockSuffix;
    UniqueFd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!lock.valid()) {
      if (errno == EEXIST) continue;
      return ErrnoToStatus(errno, "creating " + lock_path);
    }
    Status s = FileLock::TryLockFd(lock.get(), FileLock::Mode::kExclusive);
    if (s.ok() && ::mkdir(path.c_str(), 0700) != 0) {
      if (errno == EEXIST) {
        ::unlink(lock_path.c_str());
        continue;
      }
      s = ErrnoToStatus(errno, "mkdir " + path);
    }
    if (!s.ok()) {
      ::unlink(lock_path.c_str());
      return s;
    }
    StateDir dir;
    dir.path_ = path;
    dir.lock_ = std::move(lock);
    return dir;
  }
  return InternalError("cannot create a private directory under " + parent);
}

Status SweepStaleStateDirs(const std::string& parent, std::string_view prefix, StaleSweepReport* report) {
  struct stat pst;
  if (::stat(parent.c_str(), &pst) != 0) return errno == ENOENT ? Status() : ErrnoToStatus(errno, "stat " + parent);
  std::vector<std::string> names = ListDirNames(parent);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    if (!name.starts_with(prefix)) continue;
    std::string path = parent + "/" + name;
    bool is_lock = name.ends_with(kLockSuffix);
    std::string dir_path = is_lock ? path.substr(0, path.size() - strlen(kLockSuffix)) : path;
    std::string lock_path = dir_path + kLockSuffix;
    if (is_lock) {
      // Its directory (if any) is handled under its own name; a lock file
      // alone is removed once nobody holds it.
      struct stat st;
      if (::lstat(dir_path.c_str(), &st) == 0) continue;
      UniqueFd fd(::open(path.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC));
      if (fd.valid() && FileLock::TryLockFd(fd.get(), FileLock::Mode::kExclusive).ok()) ::unlink(path.c_str());
      continue;
    }
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
    // Hold the dead owner's lock while removing, so the decision stays true.
    UniqueFd lock(::open(lock_path.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC));
    if (lock.valid() && !FileLock::TryLockFd(lock.get(), FileLock::Mode::kExclusive).ok()) continue;  // live
    int64_t bytes = 0;
    Status s = RemoveStale(path, &bytes);
    report->bytes_freed += bytes;
    if (!s.ok()) {
      SHALE_LOG(Warning) << "prune: cannot remove stale " << path << ": " << s.ToString();
      report->problems.push_back(s.ToString());
      continue;
    }
    if (lock.valid()) ::unlink(lock_path.c_str());
    ++report->dirs_removed;
    report->removed.push_back(path);
  }
  return Status();
}

}  // namespace shale
