#include "storage/layer_cache.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <vector>

#include "base/fd.h"
#include "storage/layer_apply.h"
#include "storage/snapshot_paths.h"

namespace shale {

namespace {
constexpr char kMarker[] = "complete";
constexpr char kMarkerMagic[] = "shale-layer-cache 1\n";
}  // namespace

namespace {
std::string LayersDir(const std::string& store_root) { return ShaleStateDir(store_root) + "/layers"; }
}  // namespace

LayerCache::LayerCache(std::string store_root, std::string ns)
    : root_(std::move(store_root)), base_(LayersDir(root_) + "/overlay-" + ns), ns_(std::move(ns)) {}

std::string LayerCache::EntryDir(const Digest& chain_id) const { return base_ + "/" + chain_id.hex(); }
std::string LayerCache::DiffDir(const Digest& chain_id) const { return EntryDir(chain_id) + "/diff"; }

bool LayerCache::Has(const Digest& chain_id) const {
  auto marker = ReadFileCapped(EntryDir(chain_id) + "/" + kMarker, 4096);
  return marker.ok() && marker->rfind(kMarkerMagic, 0) == 0;
}

Result<StateDir> LayerCache::NewTmp() { return StateDir::Create(root_, base_, "tmp-"); }

Result<std::string> LayerCache::Publish(StateDir& tmp_dir, const Digest& chain_id, const Digest& diff_id) {
  const std::string tmp = tmp_dir.path();
  RETURN_IF_ERROR(WriteFileAtomic(tmp + "/" + kMarker, std::string(kMarkerMagic) + diff_id.ToString() + "\n"));
  std::string entry = EntryDir(chain_id);
  if (::rename(tmp.c_str(), entry.c_str()) != 0) {
    int err = errno;
    if ((err == EEXIST || err == ENOTEMPTY) && Has(chain_id)) {
      RemoveTree(tmp).IgnoreError();  // another build got there first
      return DiffDir(chain_id);
    }
    if (err == EEXIST || err == ENOTEMPTY) {
      // An incomplete entry cannot exist (rename is atomic), but a damaged
      // one might: replace it.
      RETURN_IF_ERROR(RemoveTree(entry));
      if (::rename(tmp.c_str(), entry.c_str()) == 0) return DiffDir(chain_id);
      err = errno;
    }
    RemoveTree(tmp).IgnoreError();
    return ErrnoToStatus(err, "publishing cached layer " + entry);
  }
  tmp_dir.Release();
  RETURN_IF_ERROR(FsyncDir(base_));
  return DiffDir(chain_id);
}

Result<std::string> LayerCache::Ensure(const Digest& chain_id, const ParentLayer& layer, const OpenBlobFn& open_blob) {
  if (Has(chain_id)) return DiffDir(chain_id);
  ASSIGN_OR_RETURN(StateDir tmp_dir, NewTmp());
  const std::string tmp = tmp_dir.path();
  auto fail = [&](const Status& s) {
    RemoveTree(tmp).IgnoreError();
    return s.Annotate("unpacking layer " + layer.blob.digest.ToString());
  };
  std::string diff = tmp + "/diff";
  if (::mkdir(diff.c_str(), 0755) != 0) return fail(ErrnoToStatus(errno, "mkdir " + diff));
  auto blob = open_blob(layer.blob);
  if (!blob.ok()) return fail(blob.status());
  ApplyOptions opts;
  opts.whiteouts = WhiteoutFormat::kOverlay;
  opts.overlay_xattr_prefix = ns_ + ".overlay.";
  opts.expected_diff_id = layer.diff_id;  // verified before the entry is published
  auto st = ApplyLayer(blob->get(), diff, opts);
  if (!st.ok()) return fail(st.status());
  auto published = Publish(tmp_dir, chain_id, layer.diff_id);
  if (!published.ok()) return fail(published.status());
  return published;
}

Result<std::string> LayerCache::Adopt(const Digest& chain_id, const Digest& diff_id, const std::string& dir) {
  if (Has(chain_id)) {
    RETURN_IF_ERROR(RemoveTree(dir));
    return DiffDir(chain_id);
  }
  ASSIGN_OR_RETURN(StateDir tmp, NewTmp());
  if (::rename(dir.c_str(), (tmp.path() + "/diff").c_str()) != 0) {
    int err = errno;
    RemoveTree(tmp.path()).IgnoreError();
    return ErrnoToStatus(err, "moving " + dir + " into the layer cache");
  }
  return Publish(tmp, chain_id, diff_id);
}

Status SweepLayerCacheTmp(const std::string& store_root, StaleSweepReport* report) {
  std::string layers = LayersDir(store_root);
  DIR* d = ::opendir(layers.c_str());
  if (d == nullptr) return errno == ENOENT ? Status() : ErrnoToStatus(errno, "open " + layers);
  std::vector<std::string> namespaces;
  while (dirent* de = ::readdir(d)) {
    std::string n = de->d_name;
    if (n.starts_with("overlay-")) namespaces.push_back(n);
  }
  ::closedir(d);
  for (const std::string& ns : namespaces) RETURN_IF_ERROR(SweepStaleStateDirs(layers + "/" + ns, "tmp-", report));
  return Status();
}

}  // namespace shale
