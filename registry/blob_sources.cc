#include "registry/blob_sources.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/fd.h"
#include "storage/file_lock.h"

namespace shale {
namespace {

using json = nlohmann::json;
constexpr size_t kMaxFile = 16 << 20;
constexpr size_t kMaxReposPerBlob = 8;
constexpr size_t kMaxBlobs = 100000;

std::map<std::string, std::vector<std::string>> ReadFile(const std::string& path) {
  std::map<std::string, std::vector<std::string>> out;
  auto text = ReadFileCapped(path, kMaxFile);
  if (!text.ok()) return out;
  json doc = json::parse(*text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || doc.value("version", 0) != 1) return out;
  auto blobs = doc.find("blobs");
  if (blobs == doc.end() || !blobs->is_object()) return out;
  for (const auto& [k, v] : blobs->items()) {
    if (!v.is_array() || !Digest::Parse(k).ok()) continue;
    for (const auto& r : v)
      if (r.is_string() && out[k].size() < kMaxReposPerBlob) out[k].push_back(r.get<std::string>());
  }
  return out;
}

void Prepend(std::vector<std::string>& list, const std::string& repo) {
  list.erase(std::remove(list.begin(), list.end(), repo), list.end());
  list.insert(list.begin(), repo);
  if (list.size() > kMaxReposPerBlob) list.resize(kMaxReposPerBlob);
}

}  // namespace

BlobSources BlobSources::Load(const std::string& store_root) {
  BlobSources s;
  s.root_ = store_root;
  s.blobs_ = ReadFile(store_root + "/shale/blob-sources.json");
  return s;
}

std::vector<std::string> BlobSources::Repos(const Digest& digest) const {
  auto it = blobs_.find(digest.ToString());
  return it == blobs_.end() ? std::vector<std::string>() : it->second;
}

void BlobSources::Add(const Digest& digest, const std::string& repository) {
  Prepend(blobs_[digest.ToString()], repository);
  Prepend(added_[digest.ToString()], repository);
}

Status BlobSources::Save() {
  if (added_.empty()) return Status::Ok();
  std::string dir = root_ + "/shale";
  RETURN_IF_ERROR(MakeDirs(dir, 0700));
  ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(dir + "/blob-sources.lock", FileLock::Mode::kExclusive));
  auto current = ReadFile(dir + "/blob-sources.json");
  for (const auto& [k, repos] : added_)
    for (auto it = repos.rbegin(); it != repos.rend(); ++it) Prepend(current[k], *it);
  while (current.size() > kMaxBlobs) current.erase(current.begin());
  json doc = {{"version", 1}, {"blobs", json::object()}};
  for (const auto& [k, repos] : current) doc["blobs"][k] = repos;
  RETURN_IF_ERROR(WriteFileAtomic(dir + "/blob-sources.json", doc.dump(), 0600));
  added_.clear();
  blobs_ = std::move(current);
  return Status::Ok();
}

}  // namespace shale
