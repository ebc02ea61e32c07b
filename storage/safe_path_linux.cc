#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <deque>
#include <vector>

#include "storage/safe_path.h"

namespace shale {
namespace {

std::atomic<ResolveMode> g_mode{ResolveMode::kAuto};
constexpr int kMaxLinks = 40;

int Openat2(int dirfd, const char* path, int flags, mode_t mode, uint64_t resolve) {
  struct open_how how = {};
  how.flags = static_cast<uint64_t>(flags) | O_CLOEXEC;
  how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
  how.resolve = resolve;
  for (int attempt = 0; attempt < 16; ++attempt) {
    long r = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
    if (r >= 0) return static_cast<int>(r);
    if (errno != EAGAIN && errno != EINTR) return -errno;
  }
  return -EAGAIN;
}

void SplitInto(std::string_view path, std::deque<std::string>* out, bool front) {
  std::vector<std::string> comps;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) comps.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  if (front) {
    out->insert(out->begin(), comps.begin(), comps.end());
  } else {
    out->insert(out->end(), comps.begin(), comps.end());
  }
}

// The fallback walk; returns an fd or -errno.
int WalkOpen(int root_fd, std::string_view path, int flags, mode_t mode) {
  std::deque<std::string> comps;
  SplitInto(path, &comps, false);
  std::vector<UniqueFd> stack;  // stack.back() is the current dir; empty = root
  auto cur = [&] { return stack.empty() ? root_fd : stack.back().get(); };
  int links = 0;
  while (!comps.empty()) {
    std::string c = std::move(comps.front());
    comps.pop_front();
    if (c == ".") continue;
    if (c == "..") {
      if (!stack.empty()) stack.pop_back();
      continue;
    }
    bool last = comps.empty();
    struct stat st;
    if (last) {
      bool follow = !(flags & O_NOFOLLOW);
      if (follow && fstatat(cur(), c.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
        // fall through to the symlink expansion below
      } else {
        int fd = openat(cur(), c.c_str(), flags | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd < 0 && errno == ELOOP && follow) {
          // swapped to a symlink between fstatat and openat: expand it below
        } else {
          return fd >= 0 ? fd : -errno;
        }
      }
    }
    int fd = openat(cur(), c.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return -errno;
    UniqueFd ufd(fd);
    if (fstat(fd, &st) != 0) return -errno;
    if (S_ISLNK(st.st_mode)) {
      if (++links > kMaxLinks) return -ELOOP;
      char target[4096];
      ssize_t n = readlinkat(fd, "", target, sizeof target);
      if (n < 0) return -errno;
      if (n == 0) return -ENOENT;
      std::string_view t(target, static_cast<size_t>(n));
      if (t[0] == '/') stack.clear();
      SplitInto(t, &comps, true);
      continue;
    }
    if (!S_ISDIR(st.st_mode)) return -ENOTDIR;
    stack.push_back(std::move(ufd));
  }
  // The path named a directory reached through "." / ".." / a symlink.
  int fd = openat(cur(), ".", (flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW)) | O_CLOEXEC);
  return fd >= 0 ? fd : -errno;
}

int OpenRaw(int root_fd, std::string_view path, int flags, mode_t mode) {
  ResolveMode m = g_mode.load();
  if (m == ResolveMode::kOpenat2 || (m == ResolveMode::kAuto && HaveOpenat2())) {
    std::string p(path.empty() ? "." : path);
    int fd = Openat2(root_fd, p.c_str(), flags, mode, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
    if (fd != -EAGAIN || m == ResolveMode::kOpenat2) return fd;
  }
  return WalkOpen(root_fd, path, flags, mode);
}

}  // namespace

void SetResolveMode(ResolveMode mode) { g_mode = mode; }
ResolveMode GetResolveMode() { return g_mode.load(); }

bool HaveOpenat2() {
  static const bool have = [] {
    int fd = Openat2(AT_FDCWD, "/", O_PATH | O_DIRECTORY, 0, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
    if (fd < 0) return false;
    close(fd);
    return true;
  }();
  return have;
}

std::pair<std::string_view, std::string_view> SplitParent(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return {std::string_view(), path};
  return {path.substr(0, slash), path.substr(slash + 1)};
}

Result<UniqueFd> OpenInRoot(int root_fd, std::string_view path, int flags, mode_t mode) {
  int fd = OpenRaw(root_fd, path, flags, mode);
  if (fd < 0) return ErrnoToStatus(-fd, "open \"" + std::string(path) + "\" in root");
  return UniqueFd(fd);
}

Result<UniqueFd> OpenDirInRoot(int root_fd, std::string_view path, bool create) {
  int fd = OpenRaw(root_fd, path, O_PATH | O_DIRECTORY, 0);
  if (fd >= 0) return UniqueFd(fd);
  if (fd != -ENOENT || !create) return ErrnoToStatus(-fd, "open directory \"" + std::string(path) + "\" in root");
  // Create the missing tail one component at a time; each step re-resolves
  // the prefix in the root, so symlinks on the way stay contained.
  std::deque<std::string> comps;
  SplitInto(path, &comps, false);
  std::string prefix;
  UniqueFd parent(fcntl(root_fd, F_DUPFD_CLOEXEC, 0));
  if (!parent.valid()) return ErrnoToStatus(errno, "dup root fd");
  for (const std::string& c : comps) {
    std::string next = prefix.empty() ? c : prefix + "/" + c;
    int nfd = OpenRaw(root_fd, next, O_PATH | O_DIRECTORY, 0);
    if (nfd == -ENOENT) {
      if (c == "." || c == "..") return ErrnoToStatus(ENOENT, "open directory \"" + next + "\" in root");
      if (mkdirat(parent.get(), c.c_str(), 0755) != 0 && errno != EEXIST)
        return ErrnoToStatus(errno, "mkdir \"" + next + "\" in root");
      nfd = openat(parent.get(), c.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (nfd < 0) nfd = -errno;
    }
    if (nfd == -ENOTDIR || nfd == -ELOOP)
      return FailedPreconditionError("\"" + next + "\" in root is not a directory");
    if (nfd < 0) return ErrnoToStatus(-nfd, "open directory \"" + next + "\" in root");
    parent = UniqueFd(nfd);
    prefix = std::move(next);
  }
  return parent;
}

Result<UniqueFd> OpenBeneath(int root_fd, std::string_view path, int flags) {
  std::string p(path.empty() ? "." : path);
  if (HaveOpenat2() && g_mode.load() != ResolveMode::kWalk) {
    int fd = Openat2(root_fd, p.c_str(), flags | O_NOFOLLOW, 0, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
    if (fd >= 0) return UniqueFd(fd);
    if (fd != -EAGAIN) return ErrnoToStatus(-fd, "open \"" + p + "\"");
  }
  std::deque<std::string> comps;
  SplitInto(path, &comps, false);
  UniqueFd cur(fcntl(root_fd, F_DUPFD_CLOEXEC, 0));
  if (!cur.valid()) return ErrnoToStatus(errno, "dup fd");
  while (!comps.empty()) {
    std::string c = std::move(comps.front());
    comps.pop_front();
    if (c == "." ) continue;
    if (c == "..") return InvalidArgumentError("\"" + p + "\" leaves its tree");
    int fl = comps.empty() ? flags | O_NOFOLLOW : O_PATH | O_DIRECTORY | O_NOFOLLOW;
    int fd = openat(cur.get(), c.c_str(), fl | O_CLOEXEC);
    if (fd < 0) return ErrnoToStatus(errno, "open \"" + p + "\"");
    cur = UniqueFd(fd);
    if (comps.empty()) return cur;
  }
  int fd = openat(cur.get(), ".", flags | O_CLOEXEC);
  if (fd < 0) return ErrnoToStatus(errno, "open \"" + p + "\"");
  return UniqueFd(fd);
}

namespace {
Status RemoveChildren(int dir_fd, int depth) {
  if (depth > 4096) return ResourceExhaustedError("directory nesting deeper than 4096");
  int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoToStatus(errno, "open directory for removal");
  DIR* d = fdopendir(fd);
  if (d == nullptr) {
    close(fd);
    return ErrnoToStatus(errno, "fdopendir");
  }
  std::vector<std::pair<std::string, bool>> names;
  while (dirent* de = readdir(d)) {
    std::string n = de->d_name;
    if (n == "." || n == "..") continue;
    names.emplace_back(std::move(n), de->d_type == DT_DIR || de->d_type == DT_UNKNOWN);
  }
  Status s;
  for (auto& [n, maybe_dir] : names) {
    if (unlinkat(dirfd(d), n.c_str(), 0) == 0 || errno == ENOENT) continue;
    if (errno != EISDIR && errno != EPERM) {
      s = ErrnoToStatus(errno, "remove \"" + n + "\"");
      break;
    }
    UniqueFd sub(openat(dirfd(d), n.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!sub.valid()) {
      s = ErrnoToStatus(errno, "remove \"" + n + "\"");
      break;
    }
    s = RemoveChildren(sub.get(), depth + 1);
    if (!s.ok()) break;
    if (unlinkat(dirfd(d), n.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
      s = ErrnoToStatus(errno, "remove directory \"" + n + "\"");
      break;
    }
  }
  closedir(d);
  return s;
}
}  // namespace

Status RemoveAt(int dir_fd, const std::string& name) {
  if (unlinkat(dir_fd, name.c_str(), 0) == 0 || errno == ENOENT) return Status();
  if (errno != EISDIR && errno != EPERM) return ErrnoToStatus(errno, "remove \"" + name + "\"");
  UniqueFd sub(openat(dir_fd, name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!sub.valid()) return ErrnoToStatus(errno, "remove \"" + name + "\"");
  RETURN_IF_ERROR(RemoveChildren(sub.get(), 0).Annotate("removing \"" + name + "\""));
  if (unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT)
    return ErrnoToStatus(errno, "remove directory \"" + name + "\"");
  return Status();
}

}  // namespace shale
