// LayerCache: layers unpacked once, reused as overlay lowerdirs by every build
// on the store.
//
// On disk (owned by this class):
//   <root>/shale/layers/overlay-<ns>/<chainid-hex>/diff/     the layer's own entries;
//        whiteouts in overlayfs form (0/0 char device; "<ns>.overlay.opaque"="y")
//   <root>/shale/layers/overlay-<ns>/<chainid-hex>/complete  "shale-layer-cache 1\n<diff_id>\n"
//   <root>/shale/layers/overlay-<ns>/tmp-<pid>-<n>-<rand>/    an unpack in flight
//   <root>/shale/layers/overlay-<ns>/tmp-<pid>-<n>-<rand>.lock  held by its
//        unpacker (state_dir.h), so prune removes only abandoned tmp dirs
// <ns> is "trusted" (real root) or "user" (user namespace, userxattr mounts):
// the opaque xattr lives in that namespace. An entry is built in a tmp dir,
// the marker written inside it, then renamed into place, so an entry
// directory is always complete; when two processes race, the loser discards
// its copy. The diff_id of an unpacked blob is verified before its entry is
// published. Tmp dirs whose lock nobody holds are garbage (Prune deletes
// them: SweepLayerCacheTmp).
#ifndef SHALE_STORAGE_LAYER_CACHE_H_
#define SHALE_STORAGE_LAYER_CACHE_H_

#include <string>

#include "base/digest.h"
#include "base/status.h"
#include "storage/snapshotter.h"
#include "storage/state_dir.h"

namespace shale {

class LayerCache {
 public:
  // ns: "trusted" or "user".
  LayerCache(std::string store_root, std::string ns);

  // The diff dir of `chain_id` (whose top layer is `layer`), unpacking the
  // blob when it is not cached yet.
  Result<std::string> Ensure(const Digest& chain_id, const ParentLayer& layer, const OpenBlobFn& open_blob);
  // Moves an already-built overlay-format directory (e.g. an upper dir) into
  // the cache as the entry for chain_id; when the entry exists the directory is
  // deleted instead. Returns the entry's diff dir.
  Result<std::string> Adopt(const Digest& chain_id, const Digest& diff_id, const std::string& dir);
  bool Has(const Digest& chain_id) const;
  std::string DiffDir(const Digest& chain_id) const;

 private:
  std::string EntryDir(const Digest& chain_id) const;
  Result<StateDir> NewTmp();
  Result<std::string> Publish(StateDir& tmp, const Digest& chain_id, const Digest& diff_id);

  std::string root_;
  std::string base_;
  std::string ns_;
};

// Removes the abandoned tmp dirs of every layer cache namespace under the
// store (see SweepStaleStateDirs). Call with gc.lock held exclusively.
Status SweepLayerCacheTmp(const std::string& store_root, StaleSweepReport* report);

}  // namespace shale

#endif  // SHALE_STORAGE_LAYER_CACHE_H_
