#include "storage/native_index.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <unordered_set>
#include <vector>

#include "base/fd.h"
#include "storage/internal/dir_meta.h"

namespace shale {
namespace {

class Exclusions {
 public:
  explicit Exclusions(const DiffOptions& o) : o_(o), set_(o.exclude.begin(), o.exclude.end()) {
    std::unordered_set<std::string> clean;
    for (auto p : set_) {
      while (!p.empty() && p.front() == '/') p.erase(0, 1);
      while (!p.empty() && p.back() == '/') p.pop_back();
      clean.insert(p);
    }
    set_ = std::move(clean);
  }
  // Only the path itself: callers never descend into an excluded directory.
  bool Excluded(const std::string& path) const {
    return set_.count(path) || (o_.should_ignore && o_.should_ignore(path));
  }
  // The path or one of its ancestors.
  bool Covered(const std::string& path) const {
    if (Excluded(path)) return true;
    for (size_t s = path.find('/'); s != std::string::npos; s = path.find('/', s + 1))
      if (Excluded(path.substr(0, s))) return true;
    return false;
  }

 private:
  const DiffOptions& o_;
  std::unordered_set<std::string> set_;
};

StatRecord FromStatx(const struct statx& sx) {
  StatRecord r;
  r.ino = sx.stx_ino;
  if (sx.stx_mask & STATX_BTIME) {
    r.btime_s = sx.stx_btime.tv_sec;
    r.btime_ns = sx.stx_btime.tv_nsec;
  }
  r.ctime_s = sx.stx_ctime.tv_sec;
  r.ctime_ns = sx.stx_ctime.tv_nsec;
  r.mtime_s = sx.stx_mtime.tv_sec;
  r.mtime_ns = sx.stx_mtime.tv_nsec;
  r.size = static_cast<int64_t>(sx.stx_size);
  r.mode = sx.stx_mode;
  r.uid = sx.stx_uid;
  r.gid = sx.stx_gid;
  return r;
}

bool SameObject(const StatRecord& a, const StatRecord& b) {
  return a.ino == b.ino && a.btime_s == b.btime_s && a.btime_ns == b.btime_ns &&
         (a.mode & S_IFMT) == (b.mode & S_IFMT);
}

// For a directory, what its layer entry carries (besides xattrs).
bool SameDirEntry(const StatRecord& a, const StatRecord& b) {
  return SameObject(a, b) && a.mtime_s == b.mtime_s && a.mtime_ns == b.mtime_ns && a.mode == b.mode &&
         a.uid == b.uid && a.gid == b.gid;
}

bool SameStat(const StatRecord& a, const StatRecord& b) {
  return SameObject(a, b) && a.ctime_s == b.ctime_s && a.ctime_ns == b.ctime_ns && a.mtime_s == b.mtime_s &&
         a.mtime_ns == b.mtime_ns && a.size == b.size && a.mode == b.mode && a.uid == b.uid && a.gid == b.gid;
}

struct Walker {
  const Exclusions& ex;
  const NativeIndex* before;  // null: just index
  NativeIndex* after;
  Changes* changes;
  std::unordered_set<std::string>* fresh_dirs;  // new or replaced: children all added

  // `forced`: this directory is new or replaced, so every child is an add.
  Status Walk(int dir_fd, const std::string& prefix, bool forced, int depth) {
    if (depth > 4096) return ResourceExhaustedError("directory nesting deeper than 4096");
    int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return ErrnoToStatus(errno, "open directory \"" + prefix + "\"");
    DIR* d = fdopendir(fd);
    if (d == nullptr) {
      close(fd);
      return ErrnoToStatus(errno, "fdopendir");
    }
    std::vector<std::pair<std::string, bool>> subdirs;
    Status s;
    while (dirent* de = readdir(d)) {
      std::string n = de->d_name;
      if (n == "." || n == "..") continue;
      std::string path = prefix.empty() ? n : prefix + "/" + n;
      if (ex.Excluded(path)) continue;
      struct statx sx;
      if (statx(dirfd(d), n.c_str(), AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_BASIC_STATS | STATX_BTIME,
                &sx) != 0) {
        if (errno == ENOENT) continue;  // raced with a deletion
        s = ErrnoToStatus(errno, "stat \"" + path + "\"");
        break;
      }
      StatRecord now = FromStatx(sx);
      bool is_dir = S_ISDIR(now.mode);
      bool child_forced = false;
      auto dir_xattrs = [&] { return internal::XattrHash("/proc/self/fd/" + std::to_string(dirfd(d)) + "/" + n); };
      if (before == nullptr) {
        if (is_dir) now.xattr_hash = dir_xattrs();
      } else {
        auto it = forced ? before->end() : before->find(path);
        if (is_dir) {
          now.xattr_hash = it != before->end() && SameStat(it->second, now) ? it->second.xattr_hash : dir_xattrs();
        }
        if (it == before->end()) {
          changes->entries.push_back({Change::Kind::kAdd, path});
          child_forced = is_dir;
        } else if (is_dir && !SameObject(it->second, now)) {
          // A directory that replaced another object: overlayfs marks such a
          // directory opaque, and so do we.
          changes->entries.push_back({Change::Kind::kOpaque, path});
          child_forced = true;
        } else if (!SameStat(it->second, now) &&
                   !(is_dir && SameDirEntry(it->second, now) && it->second.xattr_hash == now.xattr_hash)) {
          changes->entries.push_back({Change::Kind::kAdd, path});
        }
        if (child_forced) fresh_dirs->insert(path);
      }
      (*after)[path] = now;
      if (is_dir) subdirs.emplace_back(n, child_forced);
    }
    for (size_t i = 0; s.ok() && i < subdirs.size(); ++i) {
      const auto& [n, f] = subdirs[i];
      UniqueFd sub(openat(dirfd(d), n.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!sub.valid()) {
        if (errno == ENOENT) continue;
        s = ErrnoToStatus(errno, "open \"" + n + "\"");
        break;
      }
      s = Walk(sub.get(), prefix.empty() ? n : prefix + "/" + n, f, depth + 1);
    }
    closedir(d);
    return s;
  }
};

}  // namespace

Result<NativeIndex> BuildNativeIndex(int root_fd, const DiffOptions& options) {
  Exclusions ex(options);
  NativeIndex index;
  std::unordered_set<std::string> fresh;
  Walker w{ex, nullptr, &index, nullptr, &fresh};
  RETURN_IF_ERROR(w.Walk(root_fd, "", false, 0));
  return index;
}

Result<Changes> DiffNativeIndex(int root_fd, const NativeIndex& before, const DiffOptions& options,
                                NativeIndex* after) {
  Exclusions ex(options);
  Changes changes;
  std::unordered_set<std::string> fresh;
  after->clear();
  after->reserve(before.size() + 64);
  Walker w{ex, &before, after, &changes, &fresh};
  RETURN_IF_ERROR(w.Walk(root_fd, "", false, 0));
  for (const auto& [path, rec] : before) {
    if (after->count(path)) continue;
    if (ex.Covered(path)) {
      (*after)[path] = rec;
      changes.excluded.push_back(path);
      continue;
    }
    size_t slash = path.rfind('/');
    if (slash != std::string::npos) {
      std::string parent = path.substr(0, slash);
      auto p = after->find(parent);
      // Gone with its parent, or hidden by a replaced (opaque) parent.
      if (p == after->end() || !S_ISDIR(p->second.mode) || fresh.count(parent)) continue;
    }
    changes.entries.push_back({Change::Kind::kDelete, path});
  }
  return changes;
}

}  // namespace shale
