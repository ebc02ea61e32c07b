#include "builder/cache_index.h"

#include <sys/stat.h>
#include <time.h>

#include "base/fd.h"
#include "base/log.h"
#include "storage/oci/descriptor_json.h"
#include "storage/oci/json.h"

namespace shale {

BuildCache::BuildCache(std::string store_root, const BlobStore* blobs)
    : dir_(std::move(store_root) + "/shale/build-cache/v1"), blobs_(blobs) {}

std::string BuildCache::PathFor(const Digest& key) const {
  return dir_ + "/" + key.hex().substr(0, 2) + "/" + key.hex();
}

std::optional<CachedState> BuildCache::Lookup(const Digest& key) const {
  std::string path = PathFor(key);
  auto bytes = ReadFileCapped(path, oci::kMaxJsonBytes);
  if (!bytes.ok()) {
    if (bytes.status().code() != StatusCode::kNotFound)
      SHALE_LOG(Warning) << "build cache: " << bytes.status().ToString();
    return std::nullopt;
  }
  auto parsed = oci::ParseJson(*bytes, "build cache entry");
  if (!parsed.ok() || !parsed->is_object() || parsed->value("v", 0) != 1 ||
      !parsed->contains("config") || !parsed->contains("layers") || !(*parsed)["layers"].is_array()) {
    SHALE_LOG(Warning) << "build cache: ignoring corrupt entry " << path;
    return std::nullopt;
  }
  auto config = oci::ParseImageConfig(oci::CanonicalJson((*parsed)["config"]));
  if (!config.ok()) {
    SHALE_LOG(Warning) << "build cache: ignoring entry " << path << ": " << config.status().ToString();
    return std::nullopt;
  }
  CachedState state;
  state.config = std::move(*config);
  for (const auto& l : (*parsed)["layers"]) {
    auto d = oci::DescriptorFromJson(l);
    if (!d.ok()) return std::nullopt;
    if (!blobs_->Has(d->digest)) return std::nullopt;  // pruned since: a miss
    state.layers.push_back(std::move(*d));
  }
  if (state.layers.size() != state.config.rootfs.diff_ids.size()) return std::nullopt;
  return state;
}

Status BuildCache::Store(const Digest& key, const CachedState& state) {
  nlohmann::json j;
  j["v"] = 1;
  j["config"] = oci::ImageConfigToJson(state.config);
  j["layers"] = nlohmann::json::array();
  for (const auto& l : state.layers) j["layers"].push_back(oci::DescriptorToJson(l));
  std::string path = PathFor(key);
  RETURN_IF_ERROR(MakeDirs(dir_ + "/" + key.hex().substr(0, 2)));
  return WriteFileAtomic(path, oci::CanonicalJson(j));
}

std::optional<int64_t> BuildCache::AgeMs(const Digest& key) const {
  struct stat st;
  if (::stat(PathFor(key).c_str(), &st) != 0) return std::nullopt;
  struct timespec now;
  ::clock_gettime(CLOCK_REALTIME, &now);
  int64_t ms = (static_cast<int64_t>(now.tv_sec) - st.st_mtim.tv_sec) * 1000 +
               (static_cast<int64_t>(now.tv_nsec) - st.st_mtim.tv_nsec) / 1000000;
  return ms < 0 ? 0 : ms;
}

}  // namespace shale
