// BlobSources: where blobs of this store are known to exist remotely, so a
// push can ask the registry for a cross-repository mount instead of
// uploading. A hint only: a wrong entry costs one refused mount.
//
// File <root>/shale/blob-sources.json, rewritten atomically under the OFD lock
// <root>/shale/blob-sources.lock:
//   {"version":1,"blobs":{"sha256:<hex>":["127.0.0.1:5000/a/b", …], …}}
// At most 8 repositories per blob (newest first) and 100000 blobs; a file with
// another version, malformed, or over 16 MiB is discarded and started anew.
#ifndef SHALE_REGISTRY_BLOB_SOURCES_H_
#define SHALE_REGISTRY_BLOB_SOURCES_H_

#include <map>
#include <string>
#include <vector>

#include "base/digest.h"
#include "base/status.h"

namespace shale {

class BlobSources {
 public:
  // Reads the record of store `root` (empty when absent or discarded).
  static BlobSources Load(const std::string& store_root);

  // Repositories ("domain/path") known to hold digest, newest first.
  std::vector<std::string> Repos(const Digest& digest) const;
  void Add(const Digest& digest, const std::string& repository);
  // Merges the additions into the file on disk (re-read under the lock).
  Status Save();

 private:
  std::string root_;
  std::map<std::string, std::vector<std::string>> blobs_;
  std::map<std::string, std::vector<std::string>> added_;
};

}  // namespace shale

#endif  // SHALE_REGISTRY_BLOB_SOURCES_H_
