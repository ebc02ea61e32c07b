// Snapshotters: a writable rootfs prepared from a parent chain of layers,
// whose changes become a new layer. One interface, two implementations:
//
//   overlay  kernel overlayfs; unpacked layers (LayerCache) are the lowerdirs,
//            a fresh upper dir takes the writes; Diff = walk the upper dir
//            (overlay whiteouts → deletes, opaque xattr → opaque dirs), cost
//            proportional to what changed. Root, or a user namespace
//            (userxattr) on kernels that allow it.
//   native   no mounts: the layers are applied into one working rootfs; a stat
//            index (inode, birth time, ctime, mtime, size, mode, uid, gid) is
//            kept, and Diff walks the tree comparing stats — only entries
//            whose stats changed are read, nothing is hashed or copied.
//
// Both produce byte-identical layers for the same operations (tested).
//
// Typical use by the builder, per stage:
//   auto tree = snap->Prepare(parent_layers, open_blob);     // FROM
//   ...run a step in tree->rootfs(), or COPY files into it...
//   auto changes = tree->Diff({.exclude = {"etc/resolv.conf"}});
//   auto layer = tree->Commit(*changes, options, *blob_writer);  // next step diffs from here
//   ...more steps...
//   tree->Close();
#ifndef SHALE_STORAGE_SNAPSHOTTER_H_
#define SHALE_STORAGE_SNAPSHOTTER_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/byte_sink.h"
#include "base/descriptor.h"
#include "base/fd.h"
#include "base/status.h"
#include "storage/layer_changes.h"
#include "storage/layer_info.h"

namespace shale {

// One layer of a parent chain, bottom first.
struct ParentLayer {
  Digest diff_id;
  Descriptor blob;  // compressed layer as stored (media type, digest, size)
};

// Opens a stored layer blob for reading (e.g. BlobStore::OpenBlob).
using OpenBlobFn = std::function<Result<UniqueFd>(const Descriptor& blob)>;

// OCI chain id: ChainID(L0) = DiffID(L0); ChainID(L0..n) = sha256(ChainID(L0..n-1) + " " + DiffID(Ln)).
Digest ChainId(const std::vector<Digest>& diff_ids);

struct DiffOptions {
  // Root-relative paths (no leading '/') left out of diffs together with
  // everything below them: mount points a runtime made (etc/resolv.conf,
  // etc/hosts, proc, sys, dev/…). They produce neither adds nor whiteouts.
  std::vector<std::string> exclude;
  // Called with each candidate path; true leaves it (and its subtree) out.
  std::function<bool(std::string_view path)> should_ignore;
};

class WorkingTree {
 public:
  virtual ~WorkingTree() = default;
  // Where steps read and write (the merged mount for overlay).
  virtual const std::string& rootfs() const = 0;
  // What changed since Prepare or the last Commit. Changes::source_root is
  // where the writer reads the entries from (overlay: the upper dir).
  virtual Result<Changes> Diff(const DiffOptions& options = {}) = 0;
  // Writes the layer for `changes` into `out` (commit the BlobWriter with the
  // returned digest/size), then makes the current state the base for the
  // next Diff. `changes` must come from this tree's last Diff, or list
  // everything changed since the last Commit (a COPY writing known paths into
  // rootfs() may build it directly with source_root = rootfs()).
  virtual Result<LayerInfo> Commit(const Changes& changes, const LayerWriterOptions& options, ByteSink& out) = 0;
  // Makes the current state the base without writing a layer (e.g. after a
  // step whose layer was found in the cache and applied).
  virtual Status Rebase() = 0;
  // Unmounts and deletes the working state. Idempotent; also done by the
  // destructor.
  virtual Status Close() = 0;
};

class Snapshotter {
 public:
  virtual ~Snapshotter() = default;
  virtual std::string_view name() const = 0;
  // A writable tree holding the parent chain's content.
  virtual Result<std::unique_ptr<WorkingTree>> Prepare(const std::vector<ParentLayer>& chain,
                                                       const OpenBlobFn& open_blob) = 0;
};

// Working state lives under <store_root>/shale/work/, unpacked layers under
// <store_root>/shale/layers/ (layer_cache.h).
std::unique_ptr<Snapshotter> NewNativeSnapshotter(const std::string& store_root);
// FailedPrecondition when overlayfs cannot be mounted here.
Result<std::unique_ptr<Snapshotter>> NewOverlaySnapshotter(const std::string& store_root);

// Whether an overlay mount works here (probed by mounting one under
// <store_root>/shale/work; the answer is cached per process).
bool OverlayAvailable(const std::string& store_root);

// flag "overlay" or "native" forces one (overlay: FailedPrecondition when it
// cannot mount); "" picks overlay when it mounts, else native. Anything else
// is InvalidArgument.
Result<std::unique_ptr<Snapshotter>> SelectSnapshotter(std::string_view flag, const std::string& store_root);

}  // namespace shale

#endif  // SHALE_STORAGE_SNAPSHOTTER_H_
