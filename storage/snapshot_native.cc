// The native snapshotter (see snapshotter.h).
//
// On disk: <store_root>/shale/work/native-<pid>-<n>-<rand>/rootfs, the one
// working rootfs of a stage, removed by Close() (held as in use meanwhile,
// snapshot_paths.h). The stat index lives in memory.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>

#include "base/log.h"
#include "storage/layer_apply.h"
#include "storage/layer_writer.h"
#include "storage/native_index.h"
#include "storage/snapshot_paths.h"
#include "storage/snapshotter.h"

namespace shale {
namespace {

class NativeTree : public WorkingTree {
 public:
  NativeTree(StateDir dir, UniqueFd root_fd)
      : state_(std::move(dir)), dir_(state_.path()), rootfs_(dir_ + "/rootfs"), root_fd_(std::move(root_fd)) {}
  ~NativeTree() override { Close().IgnoreError(); }

  const std::string& rootfs() const override { return rootfs_; }

  Status Index() {
    ASSIGN_OR_RETURN(index_, BuildNativeIndex(root_fd_.get()));
    return Status();
  }

  Result<Changes> Diff(const DiffOptions& options) override {
    ASSIGN_OR_RETURN(Changes c, DiffNativeIndex(root_fd_.get(), index_, options, &pending_));
    c.source_root = rootfs_;
    c.diff_token = ++token_;
    return c;
  }

  Result<LayerInfo> Commit(const Changes& changes, const LayerWriterOptions& options, ByteSink& out) override {
    ASSIGN_OR_RETURN(LayerInfo info, WriteLayer(changes, options, out));
    if (changes.diff_token != 0 && changes.diff_token == token_) {
      index_.swap(pending_);  // what Diff saw is the new base: no second walk
      pending_.clear();
    } else {
      RETURN_IF_ERROR(Rebase());
    }
    return info;
  }

  Status Rebase() override {
    ++token_;
    pending_.clear();
    return Index();
  }

  Status Close() override {
    if (closed_) return Status();
    closed_ = true;
    root_fd_.Reset();
    RETURN_IF_ERROR(RemoveTree(dir_));
    state_.Release();
    return Status();
  }

 private:
  StateDir state_;
  std::string dir_;
  std::string rootfs_;
  UniqueFd root_fd_;
  NativeIndex index_;
  NativeIndex pending_;
  uint64_t token_ = 0;
  bool closed_ = false;
};

class NativeSnapshotter : public Snapshotter {
 public:
  explicit NativeSnapshotter(std::string store_root) : store_root_(std::move(store_root)) {}
  std::string_view name() const override { return "native"; }

  Result<std::unique_ptr<WorkingTree>> Prepare(const std::vector<ParentLayer>& chain,
                                               const OpenBlobFn& open_blob) override {
    ASSIGN_OR_RETURN(StateDir dir, NewWorkDir(store_root_, "native"));
    std::string rootfs = dir.path() + "/rootfs";
    if (::mkdir(rootfs.c_str(), 0755) != 0) return ErrnoToStatus(errno, "mkdir " + rootfs);
    UniqueFd root(::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root.valid()) return ErrnoToStatus(errno, "open " + rootfs);
    auto tree = std::make_unique<NativeTree>(std::move(dir), std::move(root));
    for (const ParentLayer& layer : chain) {
      ASSIGN_OR_RETURN(UniqueFd blob, open_blob(layer.blob));
      ApplyOptions opts;
      opts.expected_diff_id = layer.diff_id;
      auto st = ApplyLayer(blob.get(), rootfs, opts);
      if (!st.ok()) return st.status().Annotate("preparing native rootfs from " + layer.blob.digest.ToString());
    }
    RETURN_IF_ERROR(tree->Index());
    return std::unique_ptr<WorkingTree>(std::move(tree));
  }

 private:
  std::string store_root_;
};

}  // namespace

std::unique_ptr<Snapshotter> NewNativeSnapshotter(const std::string& store_root) {
  return std::make_unique<NativeSnapshotter>(store_root);
}

}  // namespace shale
