// Where things live under a store root. One place, so BlobStore, ImageStore,
// leases and prune agree.
//
//   <root>/oci-layout, <root>/index.json, <root>/blobs/<alg>/<hex>   (OCI layout)
//   <root>/tmp/blob-*        in-flight blob writes; each is OFD-locked by its
//                            writer, so an unlocked one is stale (its writer died)
//   <root>/shale/index.lock  OFD lock for index.json read-modify-write
//   <root>/shale/gc.lock     shared while a blob temp file or lease is created and
//                            while a blob is renamed into place; exclusive by Prune
//   <root>/shale/leases/*    one file per live Lease (see image_store.h)
//   <root>/shale/roots/*     extra GC roots (see image_store.h)
#ifndef SHALE_STORAGE_STORE_PATHS_H_
#define SHALE_STORAGE_STORE_PATHS_H_

#include <string>

namespace shale {

class StorePaths {
 public:
  explicit StorePaths(std::string root) : root_(std::move(root)) {}
  const std::string& root() const { return root_; }
  std::string layout_file() const { return root_ + "/oci-layout"; }
  std::string index_file() const { return root_ + "/index.json"; }
  std::string blob_dir(const std::string& algorithm) const { return root_ + "/blobs/" + algorithm; }
  std::string tmp_dir() const { return root_ + "/tmp"; }
  std::string private_dir() const { return root_ + "/shale"; }
  std::string index_lock() const { return private_dir() + "/index.lock"; }
  std::string gc_lock() const { return private_dir() + "/gc.lock"; }
  std::string lease_dir() const { return private_dir() + "/leases"; }
  std::string roots_dir() const { return private_dir() + "/roots"; }

 private:
  std::string root_;
};

}  // namespace shale

#endif  // SHALE_STORAGE_STORE_PATHS_H_
