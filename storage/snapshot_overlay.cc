// The overlay snapshotter (see snapshotter.h).
//
// On disk, per working tree: <root>/shale/work/overlay-<pid>-<n>-<rand>/
// (held as in use until Close, snapshot_paths.h)
//   upper/  this step's writes      work/   overlayfs' workdir
//   merged/ the mount (rootfs())    empty/  the lower of an empty chain
//   lower-<k>/ steps made base by Rebase() without a layer
// Parent layers come from LayerCache. Commit moves upper/ into the cache as
// the new layer's diff dir and remounts with it as the topmost lower.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <mutex>
#include <optional>

#include "base/log.h"
#include "storage/internal/dir_meta.h"
#include "storage/layer_cache.h"
#include "storage/layer_writer.h"
#include "storage/overlay_mount.h"
#include "base/safe_path.h"
#include "storage/snapshot_paths.h"
#include "storage/snapshotter.h"

namespace shale {
namespace {

Status MakeDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) != 0) return ErrnoToStatus(errno, "mkdir " + path);
  return Status();
}

// Walks an upper dir: overlay whiteouts become deletes, opaque dirs opaque.
Status WalkUpper(int dir_fd, const std::string& prefix, const std::string& opaque_xattr,
                 const DiffOptions& options, Changes* changes, int depth) {
  if (depth > 4096) return ResourceExhaustedError("directory nesting deeper than 4096");
  int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoToStatus(errno, "open upper directory \"" + prefix + "\"");
  DIR* d = fdopendir(fd);
  if (d == nullptr) {
    close(fd);
    return ErrnoToStatus(errno, "fdopendir");
  }
  std::vector<std::string> subdirs;
  Status s;
  while (dirent* de = readdir(d)) {
    std::string n = de->d_name;
    if (n == "." || n == "..") continue;
    std::string path = prefix.empty() ? n : prefix + "/" + n;
    bool excluded = false;
    for (const auto& e : options.exclude) excluded = excluded || e == path;
    if (excluded || (options.should_ignore && options.should_ignore(path))) {
      changes->excluded.push_back(path);
      continue;
    }
    struct stat st;
    if (fstatat(dirfd(d), n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      s = ErrnoToStatus(errno, "stat upper \"" + path + "\"");
      break;
    }
    if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
      changes->entries.push_back({Change::Kind::kDelete, path});
    } else if (S_ISDIR(st.st_mode)) {
      char v[4];
      std::string proc = "/proc/self/fd/" + std::to_string(dirfd(d)) + "/" + n;
      ssize_t len = lgetxattr(proc.c_str(), opaque_xattr.c_str(), v, sizeof v);
      bool opaque = len == 1 && v[0] == 'y';
      changes->entries.push_back({opaque ? Change::Kind::kOpaque : Change::Kind::kAdd, path});
      subdirs.push_back(n);
    } else {
      changes->entries.push_back({Change::Kind::kAdd, path});
    }
  }
  for (size_t i = 0; s.ok() && i < subdirs.size(); ++i) {
    UniqueFd sub(openat(dirfd(d), subdirs[i].c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!sub.valid()) {
      s = ErrnoToStatus(errno, "open upper \"" + subdirs[i] + "\"");
      break;
    }
    s = WalkUpper(sub.get(), prefix.empty() ? subdirs[i] : prefix + "/" + subdirs[i], opaque_xattr, options,
                  changes, depth + 1);
  }
  closedir(d);
  return s;
}

std::string SelfPath(int fd) { return "/proc/self/fd/" + std::to_string(fd) + "/."; }

// The directory `path` as overlayfs' lookup finds it in the lowers (topmost
// first): each component merges the directories of that name down to the
// first opaque one; a whiteout or a non-directory ends the search. Invalid
// when the lowers show no directory there.
UniqueFd LowerDir(const std::vector<std::string>& lowers, const std::string& path, const std::string& opaque_xattr) {
  std::vector<UniqueFd> candidates;
  for (const std::string& l : lowers) {
    UniqueFd fd(open(l.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (fd.valid()) candidates.push_back(std::move(fd));
  }
  size_t i = 0;
  while (i <= path.size() && !candidates.empty()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    std::string comp = path.substr(i, j - i);
    i = j + 1;
    std::vector<UniqueFd> next;
    for (const UniqueFd& c : candidates) {
      UniqueFd fd(openat(c.get(), comp.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
      if (!fd.valid()) continue;
      struct stat st;
      if (fstat(fd.get(), &st) != 0) break;
      if (!S_ISDIR(st.st_mode)) {  // a whiteout or a file hides what is below
        if (next.empty()) return UniqueFd();
        break;
      }
      char v[4];
      bool opaque = lgetxattr(SelfPath(fd.get()).c_str(), opaque_xattr.c_str(), v, sizeof v) == 1 && v[0] == 'y';
      next.push_back(std::move(fd));
      if (opaque) break;
    }
    candidates = std::move(next);
  }
  if (candidates.empty()) return UniqueFd();
  return std::move(candidates.front());
}

// Drops directories that overlayfs copied up without a change their layer
// entry would show (same mode, owner, mtime and xattrs as in the lowers): a
// child created and removed again, the mtime restored. The native
// snapshotter applies the same rule (native_index.h). Ancestors of real
// changes are written by the layer writer anyway.
void DropTouchedDirs(int upper_fd, const std::vector<std::string>& lowers, const std::string& opaque_xattr,
                     Changes* changes) {
  std::vector<Change> kept;
  kept.reserve(changes->entries.size());
  for (Change& c : changes->entries) {
    if (c.kind == Change::Kind::kAdd) {
      auto up = OpenBeneath(upper_fd, c.path, O_PATH | O_NOFOLLOW);
      struct stat ust, lst;
      if (up.ok() && fstat(up->get(), &ust) == 0 && S_ISDIR(ust.st_mode)) {
        UniqueFd low = LowerDir(lowers, c.path, opaque_xattr);
        if (low.valid() && fstat(low.get(), &lst) == 0 && ust.st_mode == lst.st_mode && ust.st_uid == lst.st_uid &&
            ust.st_gid == lst.st_gid && ust.st_mtim.tv_sec == lst.st_mtim.tv_sec &&
            ust.st_mtim.tv_nsec == lst.st_mtim.tv_nsec &&
            internal::XattrHash(SelfPath(up->get())) == internal::XattrHash(SelfPath(low.get()))) {
          continue;
        }
      }
    }
    kept.push_back(std::move(c));
  }
  changes->entries = std::move(kept);
}

class OverlayTree : public WorkingTree {
 public:
  OverlayTree(StateDir dir, std::string ns, LayerCache cache)
      : state_(std::move(dir)),
        dir_(state_.path()),
        ns_(std::move(ns)),
        cache_(std::move(cache)),
        merged_(dir_ + "/merged") {}
  ~OverlayTree() override { Close().IgnoreError(); }

  const std::string& rootfs() const override { return merged_; }

  Status Init(std::vector<std::string> lowers, std::vector<Digest> chain) {
    lowers_ = std::move(lowers);
    chain_ = std::move(chain);
    if (lowers_.empty()) {
      RETURN_IF_ERROR(MakeDir(dir_ + "/empty"));
      lowers_.push_back(dir_ + "/empty");
    }
    RETURN_IF_ERROR(MakeDir(merged_));
    return Mount();
  }

  Result<Changes> Diff(const DiffOptions& options) override {
    Changes c;
    c.source_root = dir_ + "/upper";
    UniqueFd fd(open(c.source_root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid()) return ErrnoToStatus(errno, "open " + c.source_root);
    RETURN_IF_ERROR(WalkUpper(fd.get(), "", ns_ + ".overlay.opaque", options, &c, 0));
    DropTouchedDirs(fd.get(), lowers_, ns_ + ".overlay.opaque", &c);
    return c;
  }

  Result<LayerInfo> Commit(const Changes& changes, const LayerWriterOptions& options, ByteSink& out) override {
    ASSIGN_OR_RETURN(LayerInfo info, WriteLayer(changes, options, out));
    RETURN_IF_ERROR(UnmountOverlay(merged_));
    mounted_ = false;
    std::string upper = dir_ + "/upper";
    UniqueFd ufd(open(upper.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    for (const auto& path : changes.excluded) {
      auto [parent, name] = SplitParent(path);
      auto pfd = OpenBeneath(ufd.get(), parent, O_PATH | O_DIRECTORY);
      if (pfd.ok()) RETURN_IF_ERROR(RemoveAt(pfd->get(), std::string(name)));
    }
    ufd.Reset();
    if (chain_valid_) {
      chain_.push_back(info.diff_id);
      ASSIGN_OR_RETURN(std::string diff, cache_.Adopt(ChainId(chain_), info.diff_id, upper));
      lowers_.insert(lowers_.begin(), diff);
    } else {
      RETURN_IF_ERROR(KeepUpperAsLower());
    }
    RETURN_IF_ERROR(Mount());
    return info;
  }

  Status Rebase() override {
    RETURN_IF_ERROR(UnmountOverlay(merged_));
    mounted_ = false;
    chain_valid_ = false;  // the new base is no cached chain
    RETURN_IF_ERROR(KeepUpperAsLower());
    return Mount();
  }

  Status Close() override {
    if (closed_) return Status();
    closed_ = true;
    if (mounted_) RETURN_IF_ERROR(UnmountOverlay(merged_));
    mounted_ = false;
    RETURN_IF_ERROR(RemoveTree(dir_));
    state_.Release();
    return Status();
  }

 private:
  Status KeepUpperAsLower() {
    std::string lower = dir_ + "/lower-" + std::to_string(++anon_);
    if (::rename((dir_ + "/upper").c_str(), lower.c_str()) != 0) return ErrnoToStatus(errno, "keeping upper dir");
    lowers_.insert(lowers_.begin(), lower);
    return Status();
  }

  Status Mount() {
    RETURN_IF_ERROR(RemoveTree(dir_ + "/work"));
    RETURN_IF_ERROR(MakeDir(dir_ + "/work"));
    if (access((dir_ + "/upper").c_str(), F_OK) != 0) RETURN_IF_ERROR(MakeDir(dir_ + "/upper"));
    OverlayMountSpec spec{lowers_, dir_ + "/upper", dir_ + "/work", merged_, ns_ == "user"};
    RETURN_IF_ERROR(MountOverlay(spec));
    mounted_ = true;
    return Status();
  }

  StateDir state_;
  std::string dir_;
  std::string ns_;
  LayerCache cache_;
  std::string merged_;
  std::vector<std::string> lowers_;  // topmost first
  std::vector<Digest> chain_;        // diff_ids, bottom first
  bool chain_valid_ = true;
  bool mounted_ = false;
  bool closed_ = false;
  int anon_ = 0;
};

class OverlaySnapshotter : public Snapshotter {
 public:
  explicit OverlaySnapshotter(std::string store_root)
      : store_root_(std::move(store_root)), ns_(OverlayXattrNamespace()) {}
  std::string_view name() const override { return "overlay"; }

  Result<std::unique_ptr<WorkingTree>> Prepare(const std::vector<ParentLayer>& chain,
                                               const OpenBlobFn& open_blob) override {
    LayerCache cache(store_root_, ns_);
    std::vector<std::string> lowers;
    std::vector<Digest> diff_ids;
    for (const ParentLayer& layer : chain) {
      diff_ids.push_back(layer.diff_id);
      ASSIGN_OR_RETURN(std::string diff, cache.Ensure(ChainId(diff_ids), layer, open_blob));
      lowers.insert(lowers.begin(), diff);
    }
    ASSIGN_OR_RETURN(StateDir dir, NewWorkDir(store_root_, "overlay"));
    auto tree = std::make_unique<OverlayTree>(std::move(dir), ns_, cache);
    RETURN_IF_ERROR(tree->Init(std::move(lowers), std::move(diff_ids)));
    return std::unique_ptr<WorkingTree>(std::move(tree));
  }

 private:
  std::string store_root_;
  std::string ns_;
};

}  // namespace

bool OverlayAvailable(const std::string& store_root) {
  static std::mutex mu;
  static std::optional<bool> answer;
  std::lock_guard<std::mutex> lock(mu);
  if (answer) return *answer;
  auto state = NewWorkDir(store_root, "probe");
  if (!state.ok()) return false;
  const std::string* dir = &state->path();
  bool ok = MakeDir(*dir + "/l").ok() && MakeDir(*dir + "/u").ok() && MakeDir(*dir + "/w").ok() &&
            MakeDir(*dir + "/m").ok();
  if (ok) {
    OverlayMountSpec spec{{*dir + "/l"}, *dir + "/u", *dir + "/w", *dir + "/m", OverlayXattrNamespace() == "user"};
    Status s = MountOverlay(spec);
    if (!s.ok()) SHALE_LOG(Debug) << "overlay probe: " << s.ToString();
    ok = s.ok();
    if (ok) UnmountOverlay(*dir + "/m").IgnoreError();
  }
  RemoveTree(*dir).IgnoreError();
  state->Release();
  answer = ok;
  return ok;
}

Result<std::unique_ptr<Snapshotter>> NewOverlaySnapshotter(const std::string& store_root) {
  if (!OverlayAvailable(store_root))
    return FailedPreconditionError("overlayfs cannot be mounted here (use --storage-driver native)");
  return std::unique_ptr<Snapshotter>(new OverlaySnapshotter(store_root));
}

}  // namespace shale
