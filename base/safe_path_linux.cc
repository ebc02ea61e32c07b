#include "base/safe_path.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <deque>
#include <iterator>
#include <vector>

#include "base/text.h"
namespace shale {
namespace {

constexpr int kMaxSymlinks = 40;
constexpr int kMaxDepth = 256;
constexpr size_t kBuf = PATH_MAX * 2;

int RawOpenat2(int dirfd, const char* path, int flags, mode_t mode, uint64_t resolve) noexcept {
  struct open_how how;
  memset(&how, 0, sizeof how);
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  if (flags & (O_CREAT | O_TMPFILE)) how.mode = mode;
  how.resolve = resolve;
  // EAGAIN: a concurrent rename raced the lookup; the kernel asks for a
  // retry. Bounded: after that the caller may take the walk.
  for (int attempt = 0; attempt < 64; ++attempt) {
    long r = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
    if (r >= 0) return static_cast<int>(r);
    if (errno != EINTR && errno != EAGAIN) return -errno;
  }
  return -EAGAIN;
}

constexpr uint64_t kInRoot = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;

std::atomic<int> g_openat2{-1};  // -1 unknown, 0 no, 1 yes
std::atomic<ResolveMode> g_mode{ResolveMode::kAuto};

// The walk. `work` holds the path still to resolve; a symlink's target is
// prepended to the rest of it. `stack` holds one O_PATH fd per directory
// below the root, so ".." pops (and stops at the root).
struct Walk {
  int root;
  int stack[kMaxDepth];
  int depth = 0;
  int cur() const { return depth == 0 ? root : stack[depth - 1]; }
  void PopAll() {
    while (depth > 0) close(stack[--depth]);
  }
  void Pop() {
    if (depth > 0) close(stack[--depth]);
  }
};

// Copies `rest` after `target` into `out` (target + "/" + rest).
bool Splice(char* out, const char* target, size_t tlen, const char* rest) {
  size_t rlen = strlen(rest);
  if (tlen + 1 + rlen + 1 > kBuf) return false;
  memmove(out + tlen + 1, rest, rlen + 1);  // rest may live inside out
  memcpy(out, target, tlen);
  out[tlen] = '/';
  return true;
}


void SplitInto(std::string_view path, std::deque<std::string>* out, bool front) {
  std::vector<std::string_view> comps = PathComponents(path);
  out->insert(front ? out->begin() : out->end(), comps.begin(), comps.end());
}

}  // namespace

int OpenInRootWalkRaw(int root_fd, const char* path, int flags, mode_t mode) noexcept {
  if (strlen(path) >= PATH_MAX) return -ENAMETOOLONG;
  char work[kBuf];
  char link[PATH_MAX + 1];
  strcpy(work, path);
  Walk w;
  w.root = root_fd;
  int links = 0;
  char* p = work;
  for (;;) {
    while (*p == '/') ++p;
    if (*p == '\0') {
      // The path named a directory reached by the walk itself ("/", "a/..").
      int fd = openat(w.cur(), ".", (flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW)) | O_CLOEXEC);
      int err = errno;
      w.PopAll();
      return fd >= 0 ? fd : -err;
    }
    char* end = p;
    while (*end != '\0' && *end != '/') ++end;
    bool last = true;
    for (char* q = end; *q != '\0'; ++q) {
      if (*q != '/') {
        last = false;
        break;
      }
    }
    bool trailing_slash = *end == '/';
    char saved = *end;
    *end = '\0';
    const char* name = p;
    char* rest = saved == '\0' ? end : end + 1;
    if (strlen(name) > NAME_MAX) {
      w.PopAll();
      return -ENAMETOOLONG;
    }
    if (strcmp(name, ".") == 0) {
      p = rest;
      continue;
    }
    if (strcmp(name, "..") == 0) {
      w.Pop();
      p = rest;
      continue;
    }
    int fd = openat(w.cur(), name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      int err = errno;
      if (err == ENOENT && last && (flags & O_CREAT)) {
        int nfd = openat(w.cur(), name, flags | O_NOFOLLOW | O_CLOEXEC, mode);
        err = errno;
        w.PopAll();
        return nfd >= 0 ? nfd : -err;
      }
      w.PopAll();
      return -err;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
      int err = errno;
      close(fd);
      w.PopAll();
      return -err;
    }
    bool nofollow_last = (flags & O_NOFOLLOW) || ((flags & O_CREAT) && (flags & O_EXCL));
    if (S_ISLNK(st.st_mode) && (!last || trailing_slash || !nofollow_last)) {
      if (++links > kMaxSymlinks) {
        close(fd);
        w.PopAll();
        return -ELOOP;
      }
      ssize_t n = readlinkat(fd, "", link, sizeof link - 1);
      int err = errno;
      close(fd);
      if (n < 0) {
        w.PopAll();
        return -err;
      }
      link[n] = '\0';
      if (link[0] == '/') w.PopAll();
      // Rebuild work = link + "/" + rest (+ keep a trailing slash).
      if (!Splice(work, link, static_cast<size_t>(n), rest)) {
        w.PopAll();
        return -ENAMETOOLONG;
      }
      p = work;
      continue;
    }
    if (last && !trailing_slash) {
      if ((flags & O_CREAT) && (flags & O_EXCL)) {
        close(fd);
        w.PopAll();
        return -EEXIST;
      }
      int want = flags & ~(O_CREAT | O_EXCL);
      int out;
      if ((want & O_PATH) && (want & O_NOFOLLOW)) {
        out = fd;  // already what was asked for
      } else {
        out = openat(w.cur(), name, want | O_NOFOLLOW | O_CLOEXEC, mode);
        int err = errno;
        close(fd);
        if (out < 0) {
          w.PopAll();
          return -err;
        }
      }
      w.PopAll();
      return out;
    }
    if (!S_ISDIR(st.st_mode)) {
      close(fd);
      w.PopAll();
      return -ENOTDIR;
    }
    if (w.depth >= kMaxDepth) {
      close(fd);
      w.PopAll();
      return -ENAMETOOLONG;
    }
    w.stack[w.depth++] = fd;
    p = rest;
  }
}

bool HaveOpenat2() noexcept {
  int v = g_openat2.load(std::memory_order_relaxed);
  if (v < 0) {
    int fd = RawOpenat2(AT_FDCWD, "/", O_PATH | O_DIRECTORY, 0, kInRoot);
    v = fd >= 0 ? 1 : 0;
    if (fd >= 0) close(fd);
    g_openat2.store(v, std::memory_order_relaxed);
  }
  return v == 1;
}

int OpenInRootRaw(int root_fd, const char* path, int flags, mode_t mode) noexcept {
  ResolveMode m = g_mode.load(std::memory_order_relaxed);
  if (m == ResolveMode::kOpenat2 || (m == ResolveMode::kAuto && HaveOpenat2())) {
    const char* rel = path;
    if (*rel == '\0') rel = ".";
    int r = RawOpenat2(root_fd, rel, flags, mode, kInRoot);
    if (m == ResolveMode::kOpenat2 || (r != -ENOSYS && r != -EPERM && r != -EAGAIN)) return r;
    // EPERM can be a seccomp profile that does not know openat2; the walk
    // gives the same answer, and a real EPERM shows up there too.
  }
  return OpenInRootWalkRaw(root_fd, path, flags, mode);
}

void SetResolveMode(ResolveMode mode) noexcept { g_mode.store(mode, std::memory_order_relaxed); }
ResolveMode GetResolveMode() noexcept { return g_mode.load(std::memory_order_relaxed); }

std::pair<std::string_view, std::string_view> SplitParent(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return {std::string_view(), path};
  return {path.substr(0, slash), path.substr(slash + 1)};
}

Result<UniqueFd> OpenInRoot(int root_fd, std::string_view path, int flags, mode_t mode) {
  std::string p(path);
  int fd = OpenInRootRaw(root_fd, p.c_str(), flags, mode);
  if (fd < 0) return ErrnoToStatus(-fd, "opening " + CleanRootPath(path) + " in rootfs");
  return UniqueFd(fd);
}

Result<std::string> ReadFileInRoot(int root_fd, std::string_view path, size_t max_bytes) {
  ASSIGN_OR_RETURN(UniqueFd fd, OpenInRoot(root_fd, path, O_RDONLY | O_NOCTTY | O_NONBLOCK));
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return ErrnoToStatus(errno, "stat " + std::string(path));
  if (!S_ISREG(st.st_mode)) {
    return FailedPreconditionError(CleanRootPath(path) + " in rootfs is not a regular file");
  }
  auto data = ReadAll(fd.get(), max_bytes);
  if (!data.ok()) return data.status().Annotate("reading " + CleanRootPath(path) + " in rootfs");
  return data;
}

Result<ParentAndName> OpenParentInRoot(int root_fd, std::string_view path) {
  std::string clean = CleanRootPath(path);
  if (clean == "/") return InvalidArgumentError("path " + std::string(path) + " names the root");
  size_t slash = clean.rfind('/');
  std::string parent = slash == 0 ? "/" : clean.substr(0, slash);
  ParentAndName out;
  out.name = clean.substr(slash + 1);
  ASSIGN_OR_RETURN(out.parent, OpenInRoot(root_fd, parent, O_PATH | O_DIRECTORY));
  return out;
}

std::string CleanRootPath(std::string_view path) {
  std::vector<std::string_view> parts;
  for (std::string_view c : PathComponents(path)) {
    if (c == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (c != ".") {
      parts.push_back(c);
    }
  }
  std::string out;
  for (auto c : parts) {
    out += '/';
    out += c;
  }
  return out.empty() ? "/" : out;
}

Result<UniqueFd> OpenDirInRoot(int root_fd, std::string_view path, bool create) {
  std::string whole(path);
  int fd = OpenInRootRaw(root_fd, whole.c_str(), O_PATH | O_DIRECTORY, 0);
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
    int nfd = OpenInRootRaw(root_fd, next.c_str(), O_PATH | O_DIRECTORY, 0);
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
  if (HaveOpenat2() && GetResolveMode() != ResolveMode::kWalk) {
    int fd = RawOpenat2(root_fd, p.c_str(), flags | O_NOFOLLOW, 0, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
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
