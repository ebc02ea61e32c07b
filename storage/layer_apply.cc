#include "storage/layer_apply.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <unordered_set>
#include <vector>

#include "base/fd.h"
#include "base/log.h"
#include "base/safe_path.h"
#include "storage/tar_reader.h"

namespace shale {
namespace {

constexpr char kWhiteoutPrefix[] = ".wh.";
constexpr char kOpaqueMarker[] = ".wh..wh..opq";

bool IsOverlayXattr(const std::string& name) {
  return name.rfind("trusted.overlay.", 0) == 0 || name.rfind("user.overlay.", 0) == 0;
}

std::string ProcPath(int dir_fd, const std::string& name) {
  return "/proc/self/fd/" + std::to_string(dir_fd) + "/" + name;
}

class Applier {
 public:
  Applier(int root_fd, const ApplyOptions& options, TarReader* reader)
      : root_fd_(root_fd), opts_(options), reader_(reader), buf_(1 << 20) {}

  Result<ApplyStats> Run() {
    TarEntry e;
    while (true) {
      ASSIGN_OR_RETURN(bool more, reader_->Next(&e));
      if (!more) break;
      ++stats_.entries;
      RETURN_IF_ERROR(Apply(e).Annotate("applying \"" + e.path + "\""));
    }
    cached_.Reset();
    // Directory times last: creating children changed them.
    for (auto it = dir_times_.rbegin(); it != dir_times_.rend(); ++it) {
      auto fd = OpenInRoot(root_fd_, it->first, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      if (!fd.ok()) continue;  // removed by a later entry
      struct timespec ts[2] = {{it->second, 0}, {it->second, 0}};
      if (futimens(fd->get(), ts) != 0) return ErrnoToStatus(errno, "setting mtime of \"" + it->first + "\"");
    }
    return stats_;
  }

 private:
  // The parent directory of `dir` in the root (created when missing); the
  // last one is cached because tar entries come grouped by directory.
  Result<int> Parent(const std::string& dir) {
    if (cached_.valid() && cached_path_ == dir) return cached_.get();
    ASSIGN_OR_RETURN(UniqueFd fd, OpenDirInRoot(root_fd_, dir, /*create=*/true));
    cached_ = std::move(fd);
    cached_path_ = dir;
    return cached_.get();
  }
  void Invalidate(const std::string& path) {
    if (!cached_.valid()) return;
    if (path.empty() || cached_path_ == path ||
        (cached_path_.size() > path.size() && cached_path_.compare(0, path.size(), path) == 0 &&
         cached_path_[path.size()] == '/')) {
      cached_.Reset();
    }
  }

  Status Apply(const TarEntry& e) {
    if (e.path.empty()) return ApplyRoot(e);
    auto [dir_sv, name_sv] = SplitParent(e.path);
    std::string dir(dir_sv), name(name_sv);
    if (name.rfind(kWhiteoutPrefix, 0) == 0) return Whiteout(dir, name);
    ASSIGN_OR_RETURN(int parent, Parent(dir));
    created_.insert(e.path);

    struct stat st;
    bool exists = fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
    if (exists && !(e.type == TarType::kDir && S_ISDIR(st.st_mode))) {
      Invalidate(e.path);
      RETURN_IF_ERROR(RemoveAt(parent, name));
      exists = false;
    }
    switch (e.type) {
      case TarType::kDir: {
        if (!exists && mkdirat(parent, name.c_str(), 0700) != 0) return ErrnoToStatus(errno, "mkdir");
        UniqueFd fd(openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!fd.valid()) return ErrnoToStatus(errno, "open directory");
        RETURN_IF_ERROR(SetMeta(fd.get(), e));
        dir_times_.emplace_back(e.path, e.mtime);
        return Status();
      }
      case TarType::kFile: {
        UniqueFd fd(openat(parent, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!fd.valid()) return ErrnoToStatus(errno, "create file");
        int64_t got = 0;
        while (true) {
          ASSIGN_OR_RETURN(size_t n, reader_->Read(buf_.data(), buf_.size()));
          if (n == 0) break;
          got += static_cast<int64_t>(n);
          RETURN_IF_ERROR(WriteAll(fd.get(), buf_.data(), n));
        }
        if (got != e.size) return DataLossError("file data is truncated");
        stats_.bytes += got;
        RETURN_IF_ERROR(SetMeta(fd.get(), e));
        return SetTimes(fd.get(), e.mtime);
      }
      case TarType::kSymlink:
        if (symlinkat(e.link_target.c_str(), parent, name.c_str()) != 0) return ErrnoToStatus(errno, "symlink");
        return SetMetaByName(parent, name, e, /*chmod=*/false);
      case TarType::kHardlink: {
        auto [tdir, tname] = SplitParent(e.link_target);
        auto tparent = OpenDirInRoot(root_fd_, tdir, /*create=*/false);
        if (!tparent.ok()) return tparent.status().Annotate("hard link target \"" + e.link_target + "\"");
        if (linkat(tparent->get(), std::string(tname).c_str(), parent, name.c_str(), 0) != 0)
          return ErrnoToStatus(errno, "hard link to \"" + e.link_target + "\"");
        return Status();
      }
      case TarType::kChar:
      case TarType::kBlock:
      case TarType::kFifo: {
        mode_t type = e.type == TarType::kChar ? S_IFCHR : e.type == TarType::kBlock ? S_IFBLK : S_IFIFO;
        if (mknodat(parent, name.c_str(), type | 0600, makedev(e.dev_major, e.dev_minor)) != 0) {
          if ((errno == EPERM || errno == EACCES) && e.type != TarType::kFifo) {
            if (stats_.skipped_devices++ == 0)
              SHALE_LOG(Warning) << "cannot create device nodes here (no CAP_MKNOD): skipping \"" << e.path
                                 << "\" and any further ones";
            created_.erase(e.path);
            return Status();
          }
          return ErrnoToStatus(errno, "mknod");
        }
        return SetMetaByName(parent, name, e, /*chmod=*/true);
      }
    }
    return InvalidArgumentError("unsupported entry type");
  }

  Status ApplyRoot(const TarEntry& e) {
    if (e.type != TarType::kDir) return InvalidArgumentError("the root entry is not a directory");
    UniqueFd fd(openat(root_fd_, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid()) return ErrnoToStatus(errno, "open root");
    RETURN_IF_ERROR(SetMeta(fd.get(), e));
    dir_times_.emplace_back("", e.mtime);
    return Status();
  }

  Status Whiteout(const std::string& dir, const std::string& name) {
    ASSIGN_OR_RETURN(int parent, Parent(dir));
    std::string path_prefix = dir.empty() ? "" : dir + "/";
    if (name == kOpaqueMarker) {
      if (opts_.whiteouts == WhiteoutFormat::kOverlay) {
        std::string xname = opts_.overlay_xattr_prefix + "opaque";
        if (lsetxattr(ProcPath(parent, "").c_str(), xname.c_str(), "y", 1, 0) != 0)
          return ErrnoToStatus(errno, "setting " + xname);
        return Status();
      }
      UniqueFd dfd(openat(parent, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      if (!dfd.valid()) return ErrnoToStatus(errno, "open opaque directory");
      std::vector<std::string> names;
      DIR* d = fdopendir(dfd.Release());
      if (d == nullptr) return ErrnoToStatus(errno, "fdopendir");
      while (dirent* de = readdir(d)) {
        std::string n = de->d_name;
        if (n != "." && n != ".." && !created_.count(path_prefix + n)) names.push_back(n);
      }
      closedir(d);
      for (const auto& n : names) {
        Invalidate(path_prefix + n);
        RETURN_IF_ERROR(RemoveAt(parent, n));
      }
      return Status();
    }
    std::string target = name.substr(sizeof(kWhiteoutPrefix) - 1);
    if (target.empty() || target == "." || target == "..")
      return InvalidArgumentError("whiteout \"" + name + "\" names no entry");
    if (opts_.whiteouts == WhiteoutFormat::kOverlay) {
      Invalidate(path_prefix + target);
      RETURN_IF_ERROR(RemoveAt(parent, target));
      if (mknodat(parent, target.c_str(), S_IFCHR | 0, makedev(0, 0)) != 0)
        return ErrnoToStatus(errno, "creating overlay whiteout");
      return Status();
    }
    if (created_.count(path_prefix + target)) return Status();
    Invalidate(path_prefix + target);
    return RemoveAt(parent, target);
  }

  void OwnerFailed(const TarEntry& e) {
    if (stats_.ignored_owners++ == 0)
      SHALE_LOG(Warning) << "cannot set file owners here (unprivileged): keeping our own for \"" << e.path
                         << "\" and the rest of the layer";
  }

  Status SetXattrs(const TarEntry& e, int fd, const std::string& proc_path) {
    for (const auto& [k, v] : e.xattrs) {
      if (IsOverlayXattr(k)) continue;
      int r = fd >= 0 ? fsetxattr(fd, k.c_str(), v.data(), v.size(), 0)
                      : lsetxattr(proc_path.c_str(), k.c_str(), v.data(), v.size(), 0);
      if (r == 0) continue;
      if (errno == EPERM || errno == ENOTSUP || errno == EACCES || errno == EINVAL) {
        if (stats_.skipped_xattrs++ == 0)
          SHALE_LOG(Warning) << "cannot set xattr " << k << " on \"" << e.path << "\": " << strerror(errno)
                             << " (further ones skipped silently)";
        continue;
      }
      return ErrnoToStatus(errno, "setting xattr " + k);
    }
    return Status();
  }

  // Owner, then mode (chown clears setuid), then xattrs (chown clears
  // security.capability), through the created fd.
  Status SetMeta(int fd, const TarEntry& e) {
    if (fchown(fd, static_cast<uid_t>(e.uid), static_cast<gid_t>(e.gid)) != 0) {
      if (errno != EPERM && errno != EINVAL) return ErrnoToStatus(errno, "chown");
      OwnerFailed(e);
    }
    if (fchmod(fd, e.mode & 07777) != 0) return ErrnoToStatus(errno, "chmod");
    return SetXattrs(e, fd, "");
  }

  // For symlinks and special files, which cannot be opened for writing: an
  // O_PATH fd pins the object; /proc/self/fd/N reaches exactly that object.
  Status SetMetaByName(int parent, const std::string& name, const TarEntry& e, bool chmod) {
    UniqueFd fd(openat(parent, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid()) return ErrnoToStatus(errno, "open created entry");
    if (fchownat(fd.get(), "", static_cast<uid_t>(e.uid), static_cast<gid_t>(e.gid),
                 AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno != EPERM && errno != EINVAL) return ErrnoToStatus(errno, "chown");
      OwnerFailed(e);
    }
    std::string proc = "/proc/self/fd/" + std::to_string(fd.get());
    if (chmod && fchmodat(AT_FDCWD, proc.c_str(), e.mode & 07777, 0) != 0 &&
        fchmodat(parent, name.c_str(), e.mode & 07777, 0) != 0)
      return ErrnoToStatus(errno, "chmod");
    // Symlink xattrs through the parent: the l* call never follows the name.
    RETURN_IF_ERROR(SetXattrs(e, -1, ProcPath(parent, name)));
    struct timespec ts[2] = {{e.mtime, 0}, {e.mtime, 0}};
    if (utimensat(parent, name.c_str(), ts, AT_SYMLINK_NOFOLLOW) != 0) return ErrnoToStatus(errno, "utimes");
    return Status();
  }

  Status SetTimes(int fd, int64_t mtime) {
    struct timespec ts[2] = {{mtime, 0}, {mtime, 0}};
    if (futimens(fd, ts) != 0) return ErrnoToStatus(errno, "utimes");
    return Status();
  }

  int root_fd_;
  ApplyOptions opts_;
  TarReader* reader_;
  std::vector<char> buf_;
  ApplyStats stats_;
  std::unordered_set<std::string> created_;
  std::vector<std::pair<std::string, int64_t>> dir_times_;
  UniqueFd cached_;
  std::string cached_path_;
};

}  // namespace

Result<ApplyStats> ApplyLayerAt(int layer_fd, int root_fd, const ApplyOptions& options) {
  if (!options.expected_diff_id.valid()) {
    ASSIGN_OR_RETURN(auto reader, TarReader::Open(layer_fd, options.limits));
    Applier applier(root_fd, options, reader.get());
    return applier.Run();
  }
  if (options.expected_diff_id.algorithm() != "sha256") {
    return InvalidArgumentError("diff_id " + options.expected_diff_id.ToString() +
                                " cannot be verified (only sha256 diff_ids are supported)");
  }
  ASSIGN_OR_RETURN(auto reader, TarReader::OpenHashed(layer_fd, options.limits));
  Applier applier(root_fd, options, reader.get());
  ASSIGN_OR_RETURN(ApplyStats stats, applier.Run());
  ASSIGN_OR_RETURN(stats.diff_id, reader->FinishDiffId());
  if (stats.diff_id != options.expected_diff_id) {
    return DataLossError("diff_id mismatch: the image config claims " + options.expected_diff_id.ToString() +
                         " but the uncompressed layer is " + stats.diff_id.ToString());
  }
  return stats;
}

Result<ApplyStats> ApplyLayer(int layer_fd, const std::string& rootfs, const ApplyOptions& options) {
  UniqueFd root(open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) return ErrnoToStatus(errno, "open rootfs " + rootfs);
  auto r = ApplyLayerAt(layer_fd, root.get(), options);
  if (!r.ok()) return r.status().Annotate("applying layer to " + rootfs);
  return r;
}

}  // namespace shale
