// ImageStore::Check: verify (and optionally repair) the whole store.
#include <dirent.h>
#include <unistd.h>

#include <ctime>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/fd.h"
#include "storage/file_lock.h"
#include "storage/image_store.h"
#include "storage/image_store_impl.h"
#include "storage/internal/index_file.h"
#include "storage/oci/image_config.h"
#include "storage/oci/json.h"
#include "storage/oci/manifest.h"
#include "storage/oci/media_types.h"

namespace shale {

namespace {

// Verifies blobs once each and remembers the verdict.
class Verifier {
 public:
  explicit Verifier(const BlobStore& blobs) : blobs_(blobs) {}

  Status Verify(const Digest& d) {
    auto it = done_.find(d.hex());
    if (it != done_.end()) return it->second;
    Status s = blobs_.VerifyBlob(d);
    done_[d.hex()] = s;
    return s;
  }
  size_t count() const { return done_.size(); }
  const std::map<std::string, Status>& results() const { return done_; }

 private:
  const BlobStore& blobs_;
  std::map<std::string, Status> done_;
};

// Problems of one image (empty = complete and sound).
void CheckImage(const BlobStore& blobs, Verifier& v, const Descriptor& d, int depth, bool optional,
                std::vector<std::string>* problems) {
  std::string what = d.digest.ToString();
  if (depth > 4) {
    problems->push_back(what + ": index nesting too deep");
    return;
  }
  if (d.digest.algorithm() != "sha256") {
    problems->push_back(what + ": unsupported digest algorithm");
    return;
  }
  auto size = blobs.Size(d.digest);
  if (!size.ok()) {
    if (!optional) problems->push_back(what + ": missing blob");
    return;
  }
  if (*size != d.size)
    problems->push_back(what + ": size " + std::to_string(*size) + " but descriptor says " + std::to_string(d.size));
  Status s = v.Verify(d.digest);
  if (!s.ok()) {
    problems->push_back(what + ": " + s.ToString());
    return;
  }
  if (oci::IsManifestMediaType(d.media_type)) {
    auto bytes = blobs.ReadBlob(d.digest, oci::kMaxJsonBytes);
    auto m = bytes.ok() ? oci::ParseManifest(*bytes) : Result<oci::Manifest>(bytes.status());
    if (!m.ok()) {
      problems->push_back(what + ": bad manifest: " + m.status().ToString());
      return;
    }
    size_t before = problems->size();
    CheckImage(blobs, v, m->config, depth + 1, false, problems);
    if (problems->size() == before && oci::IsConfigMediaType(m->config.media_type)) {
      auto cb = blobs.ReadBlob(m->config.digest, oci::kMaxJsonBytes);
      auto c = cb.ok() ? oci::ParseImageConfig(*cb) : Result<oci::ImageConfig>(cb.status());
      if (!c.ok()) problems->push_back(m->config.digest.ToString() + ": bad image config: " + c.status().ToString());
    }
    for (const Descriptor& l : m->layers) CheckImage(blobs, v, l, depth + 1, false, problems);
  } else if (oci::IsIndexMediaType(d.media_type)) {
    auto bytes = blobs.ReadBlob(d.digest, oci::kMaxJsonBytes);
    auto index = bytes.ok() ? oci::ParseIndex(*bytes) : Result<oci::Index>(bytes.status());
    if (!index.ok()) {
      problems->push_back(what + ": bad index: " + index.status().ToString());
      return;
    }
    for (const Descriptor& c : index->manifests) CheckImage(blobs, v, c, depth + 1, true, problems);
  } else if (depth == 0) {
    problems->push_back(what + ": unsupported media type \"" + d.media_type + "\" in index.json");
  }
}

// Builds an index with one unnamed entry per complete manifest among the blobs.
oci::Index RebuildIndex(const BlobStore& blobs, Verifier& v, const std::string& dir) {
  oci::Index index;
  for (const std::string& name : ListDirNames(dir)) {
    auto digest = Digest::Parse("sha256:" + name);
    if (!digest.ok()) continue;
    auto size = blobs.Size(*digest);
    if (!size.ok() || *size > static_cast<int64_t>(oci::kMaxJsonBytes)) continue;
    auto bytes = blobs.ReadBlob(*digest, oci::kMaxJsonBytes);
    if (!bytes.ok() || bytes->empty() || (*bytes)[0] != '{') continue;
    auto m = oci::ParseManifest(*bytes);
    if (!m.ok()) continue;
    Descriptor d;
    d.media_type = m->media_type.empty() ? media_type::kOciManifest : m->media_type;
    d.digest = *digest;
    d.size = *size;
    std::vector<std::string> problems;
    CheckImage(blobs, v, d, 0, false, &problems);
    if (problems.empty()) index.manifests.push_back(d);
  }
  return index;
}

}  // namespace

Result<CheckReport> ImageStore::Check(bool repair) {
  const StorePaths& paths = impl_->paths;
  BlobStore& blobs = *impl_->blobs;
  CheckReport report;
  Verifier v(blobs);
  FileLock index_lock;
  if (repair) {
    ASSIGN_OR_RETURN(index_lock, FileLock::Acquire(paths.index_lock(), FileLock::Mode::kExclusive));
  }
  std::string dir = paths.blob_dir("sha256");

  // 1. Every blob's content against its name. Corrupt ones are removed on
  // repair first, so the image pass below sees them as missing.
  for (const std::string& name : ListDirNames(dir)) {
    auto digest = Digest::Parse("sha256:" + name);
    if (!digest.ok()) {
      report.problems.push_back("blobs/sha256/" + name + ": not a blob name");
      continue;
    }
    Status s = v.Verify(*digest);
    if (s.ok() || s.code() == StatusCode::kNotFound) continue;
    if (repair && s.code() == StatusCode::kDataLoss) {
      RETURN_IF_ERROR(blobs.RemoveBlob(*digest));
      report.repairs.push_back("removed corrupt blob " + digest->ToString());
    } else {
      report.problems.push_back(s.ToString());
    }
  }

  // 2. index.json and every image it names.
  auto index = internal::ReadIndexFile(paths);
  if (!index.ok()) {
    if (!repair || index.status().code() != StatusCode::kDataLoss) {
      report.problems.push_back(index.status().ToString());
      report.blobs_checked = static_cast<int64_t>(v.count());
      return report;
    }
    std::string aside = paths.private_dir() + "/index.json.corrupt-" + std::to_string(::time(nullptr));
    if (::rename(paths.index_file().c_str(), aside.c_str()) != 0)
      return ErrnoToStatus(errno, "moving corrupt index.json aside");
    oci::Index rebuilt = RebuildIndex(blobs, v, dir);
    RETURN_IF_ERROR(internal::WriteIndexFile(paths, rebuilt));
    report.repairs.push_back("moved corrupt index.json to " + aside + " and rebuilt it with " +
                             std::to_string(rebuilt.manifests.size()) + " unnamed image(s) found among the blobs");
    index = rebuilt;
  }
  std::vector<Descriptor> keep;
  bool dropped = false;
  for (const Descriptor& entry : index->manifests) {
    std::string name = internal::RefNameOf(entry);
    std::vector<std::string> problems;
    CheckImage(blobs, v, entry, 0, false, &problems);
    ++report.images_checked;
    if (problems.empty()) {
      keep.push_back(entry);
      continue;
    }
    std::string label = name.empty() ? entry.digest.ToString() : name;
    if (repair && (oci::IsManifestMediaType(entry.media_type) || oci::IsIndexMediaType(entry.media_type))) {
      dropped = true;
      report.repairs.push_back("removed incomplete image " + label + " (" + problems.front() + ")");
      continue;
    }
    keep.push_back(entry);
    for (const std::string& p : problems) report.problems.push_back("image " + label + ": " + p);
  }
  if (dropped) {
    index->manifests = std::move(keep);
    RETURN_IF_ERROR(internal::WriteIndexFile(paths, *index));
  }
  report.blobs_checked = static_cast<int64_t>(v.count());
  return report;
}

}  // namespace shale
