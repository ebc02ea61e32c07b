#include "storage/layer_writer.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <vector>

#include "base/fd.h"
#include "storage/layer_stream.h"
#include "base/safe_path.h"
#include "storage/tar_reader.h"

namespace shale {
namespace {

// Depth-first order: compare as if '/' sorted before every other byte.
struct TreeOrder {
  bool operator()(const std::string& a, const std::string& b) const {
    size_t n = std::min(a.size(), b.size());
    for (size_t i = 0; i < n; ++i) {
      unsigned char x = a[i] == '/' ? 0 : static_cast<unsigned char>(a[i]);
      unsigned char y = b[i] == '/' ? 0 : static_cast<unsigned char>(b[i]);
      if (x != y) return x < y;
    }
    return a.size() < b.size();
  }
};

using Kind = Change::Kind;
using ChangeMap = std::map<std::string, Kind, TreeOrder>;

int Rank(Kind k) {
  switch (k) {
    case Kind::kDelete: return 0;
    case Kind::kAdd: return 1;
    case Kind::kAddTree: return 2;
    case Kind::kOpaque: return 3;
  }
  return 0;
}

void Merge(ChangeMap* m, const std::string& path, Kind kind) {
  auto [it, inserted] = m->emplace(path, kind);
  if (!inserted && Rank(kind) > Rank(it->second)) it->second = kind;
}

Status ListTree(int dir_fd, const std::string& prefix, ChangeMap* m, int depth) {
  if (depth > 4096) return ResourceExhaustedError("directory nesting deeper than 4096");
  int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoToStatus(errno, "open directory \"" + prefix + "\"");
  DIR* d = fdopendir(fd);
  if (d == nullptr) {
    close(fd);
    return ErrnoToStatus(errno, "fdopendir");
  }
  std::vector<std::string> subdirs;
  while (dirent* de = readdir(d)) {
    std::string n = de->d_name;
    if (n == "." || n == "..") continue;
    std::string path = prefix + "/" + n;
    Merge(m, path, Kind::kAdd);
    struct stat st;
    if (fstatat(dirfd(d), n.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) subdirs.push_back(n);
  }
  Status s;
  for (const auto& n : subdirs) {
    UniqueFd sub(openat(dirfd(d), n.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!sub.valid()) {
      s = ErrnoToStatus(errno, "open \"" + prefix + "/" + n + "\"");
      break;
    }
    s = ListTree(sub.get(), prefix + "/" + n, m, depth + 1);
    if (!s.ok()) break;
  }
  closedir(d);
  return s;
}

bool SkipXattr(const std::string& name) {
  return name.rfind("trusted.overlay.", 0) == 0 || name.rfind("user.overlay.", 0) == 0;
}

// Reads xattrs through fd (>= 0) or, for symlinks and devices, a path that is
// not followed.
Status ReadXattrs(int fd, const std::string& lpath, TarEntry* e) {
  std::vector<char> names(4096);
  while (true) {
    ssize_t n = fd >= 0 ? flistxattr(fd, names.data(), names.size())
                        : llistxattr(lpath.c_str(), names.data(), names.size());
    if (n >= 0) {
      names.resize(static_cast<size_t>(n));
      break;
    }
    if (errno == ENOTSUP) return Status();
    if (errno != ERANGE || names.size() > (1 << 20)) return ErrnoToStatus(errno, "listxattr");
    names.resize(names.size() * 4);
  }
  std::vector<char> value(4096);
  for (size_t i = 0; i < names.size();) {
    std::string name(&names[i]);
    i += name.size() + 1;
    if (name.empty() || SkipXattr(name)) continue;
    while (true) {
      ssize_t n = fd >= 0 ? fgetxattr(fd, name.c_str(), value.data(), value.size())
                          : lgetxattr(lpath.c_str(), name.c_str(), value.data(), value.size());
      if (n >= 0) {
        e->xattrs.emplace_back(name, std::string(value.data(), static_cast<size_t>(n)));
        break;
      }
      if (errno == ENODATA) break;
      if (errno != ERANGE || value.size() > (1 << 20)) return ErrnoToStatus(errno, "getxattr " + name);
      value.resize(value.size() * 4);
    }
  }
  std::sort(e->xattrs.begin(), e->xattrs.end());
  return Status();
}

class Writer {
 public:
  Writer(int root_fd, LayerStream* stream) : root_fd_(root_fd), stream_(stream), buf_(1 << 20) {}

  Status Emit(const std::string& path, Kind kind) {
    auto [dir_sv, name_sv] = SplitParent(path);
    std::string dir(dir_sv), name(name_sv);
    if (kind == Kind::kDelete) {
      TarEntry w;
      w.path = (dir.empty() ? "" : dir + "/") + ".wh." + name;
      w.mode = 0;
      return stream_->tar().WriteHeader(w);
    }
    ASSIGN_OR_RETURN(int parent, Parent(dir));
    struct stat st;
    if (fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) return FailedPreconditionError("\"" + path + "\" vanished while the layer was written");
      return ErrnoToStatus(errno, "stat \"" + path + "\"");
    }
    TarEntry e;
    e.path = path;
    e.mode = st.st_mode & 07777;
    e.uid = st.st_uid;
    e.gid = st.st_gid;
    e.mtime = stream_->ClampTime(st.st_mtim.tv_sec);
    UniqueFd fd;
    if (S_ISREG(st.st_mode)) {
      if (st.st_nlink > 1) {
        auto key = std::make_pair(st.st_dev, st.st_ino);
        auto it = links_.find(key);
        if (it != links_.end()) {
          e.type = TarType::kHardlink;
          e.link_target = it->second;
          return stream_->tar().WriteHeader(e);
        }
        links_.emplace(key, path);
      }
      fd = UniqueFd(openat(parent, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
      if (!fd.valid()) return ErrnoToStatus(errno, "open \"" + path + "\"");
      if (fstat(fd.get(), &st) != 0) return ErrnoToStatus(errno, "stat \"" + path + "\"");
      e.type = TarType::kFile;
      e.size = st.st_size;
    } else if (S_ISDIR(st.st_mode)) {
      fd = UniqueFd(openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!fd.valid()) return ErrnoToStatus(errno, "open \"" + path + "\"");
      e.type = TarType::kDir;
    } else if (S_ISLNK(st.st_mode)) {
      e.type = TarType::kSymlink;
      std::vector<char> t(static_cast<size_t>(st.st_size) + 2);
      ssize_t n = readlinkat(parent, name.c_str(), t.data(), t.size());
      if (n < 0) return ErrnoToStatus(errno, "readlink \"" + path + "\"");
      e.link_target.assign(t.data(), static_cast<size_t>(n));
    } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
      e.type = S_ISCHR(st.st_mode) ? TarType::kChar : TarType::kBlock;
      e.dev_major = major(st.st_rdev);
      e.dev_minor = minor(st.st_rdev);
    } else if (S_ISFIFO(st.st_mode)) {
      e.type = TarType::kFifo;
    } else {
      return Status();  // sockets have no tar form
    }
    RETURN_IF_ERROR(ReadXattrs(fd.valid() ? fd.get() : -1,
                               "/proc/self/fd/" + std::to_string(parent) + "/" + name, &e));
    RETURN_IF_ERROR(stream_->tar().WriteHeader(e));
    if (e.type == TarType::kFile) RETURN_IF_ERROR(CopyData(fd.get(), e.size, path));
    if (kind == Kind::kOpaque && e.type == TarType::kDir) {
      TarEntry marker;
      marker.path = path + "/.wh..wh..opq";
      marker.mode = 0;
      RETURN_IF_ERROR(stream_->tar().WriteHeader(marker));
    }
    return Status();
  }

 private:
  Result<int> Parent(const std::string& dir) {
    if (cached_.valid() && cached_path_ == dir) return cached_.get();
    ASSIGN_OR_RETURN(cached_, OpenBeneath(root_fd_, dir, O_PATH | O_DIRECTORY));
    cached_path_ = dir;
    return cached_.get();
  }

  Status CopyData(int fd, int64_t size, const std::string& path) {
    int64_t left = size;
    while (left > 0) {
      ASSIGN_OR_RETURN(size_t n, ReadSome(fd, buf_.data(), static_cast<size_t>(std::min<int64_t>(left, buf_.size()))));
      if (n == 0) return FailedPreconditionError("\"" + path + "\" shrank while the layer was written");
      RETURN_IF_ERROR(stream_->tar().WriteData(buf_.data(), n));
      left -= static_cast<int64_t>(n);
    }
    return Status();
  }

  int root_fd_;
  LayerStream* stream_;
  std::vector<char> buf_;
  std::map<std::pair<dev_t, ino_t>, std::string> links_;
  UniqueFd cached_;
  std::string cached_path_;
};

}  // namespace

Result<LayerInfo> WriteLayer(const Changes& changes, const LayerWriterOptions& options, ByteSink& out) {
  UniqueFd root(open(changes.source_root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) return ErrnoToStatus(errno, "open layer source " + changes.source_root);
  ChangeMap m;
  for (const Change& c : changes.entries) {
    ASSIGN_OR_RETURN(std::string p, NormalizeLayerPath(c.path));
    if (p.empty()) continue;  // the root itself is never part of a layer
    Merge(&m, p, c.kind);
  }
  std::vector<std::string> trees;
  for (const auto& [p, k] : m)
    if (k == Kind::kAddTree) trees.push_back(p);
  for (const auto& t : trees) {
    auto fd = OpenBeneath(root.get(), t, O_PATH | O_NOFOLLOW);
    if (!fd.ok()) return fd.status();
    struct stat st;
    if (fstat(fd->get(), &st) == 0 && S_ISDIR(st.st_mode)) RETURN_IF_ERROR(ListTree(fd->get(), t, &m, 0));
  }
  // Every ancestor of a present entry is written too.
  std::vector<std::string> ancestors;
  for (const auto& [p, k] : m) {
    for (size_t slash = p.find('/'); slash != std::string::npos; slash = p.find('/', slash + 1))
      ancestors.push_back(p.substr(0, slash));
  }
  for (const auto& a : ancestors) Merge(&m, a, Kind::kAdd);

  ASSIGN_OR_RETURN(auto stream, LayerStream::Create(&out, options));
  Writer w(root.get(), stream.get());
  for (const auto& [p, k] : m) RETURN_IF_ERROR(w.Emit(p, k).Annotate("writing layer entry \"" + p + "\""));
  return stream->Finish();
}

}  // namespace shale
