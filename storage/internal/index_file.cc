#include "storage/internal/index_file.h"

#include <utility>

#include "base/fd.h"
#include "storage/oci/json.h"
#include "storage/oci/manifest.h"
#include "storage/oci/media_types.h"

namespace shale::internal {

Result<oci::Index> ReadIndexFile(const StorePaths& paths) {
  auto bytes = ReadFileCapped(paths.index_file(), kMaxIndexFileBytes);
  if (!bytes.ok()) {
    if (bytes.status().code() == StatusCode::kNotFound) {
      oci::Index empty;
      return empty;
    }
    return bytes.status();
  }
  auto index = oci::ParseIndex(*bytes);
  if (!index.ok())
    return DataLossError(paths.index_file() + " is corrupt (" + index.status().ToString() +
                         "); run `shale check --repair`");
  return index;
}

Status WriteIndexFile(const StorePaths& paths, const oci::Index& index) {
  oci::Index out = index;
  if (out.media_type.empty()) out.media_type = media_type::kOciIndex;
  return WriteFileAtomic(paths.index_file(), oci::SerializeIndex(out) + "\n");
}

namespace {
bool IsAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool IsSep(char c) { return c == '-' || c == '.' || c == '_' || c == ':' || c == '@' || c == '+'; }

bool IsComponent(std::string_view c) {
  if (c.empty() || !IsAlnum(c.front()) || !IsAlnum(c.back())) return false;
  for (size_t i = 0; i < c.size(); ++i) {
    if (IsAlnum(c[i])) continue;
    if (!IsSep(c[i])) return false;
    // one separator, or exactly "--"
    if (c[i] == '-' && i + 1 < c.size() && c[i + 1] == '-') {
      if (i + 2 < c.size() && !IsAlnum(c[i + 2])) return false;
      ++i;
      continue;
    }
    if (i + 1 < c.size() && !IsAlnum(c[i + 1])) return false;
  }
  return true;
}
}  // namespace

bool IsValidRefName(std::string_view name) {
  if (name.empty() || name.size() > 1024) return false;
  size_t start = 0;
  while (true) {
    size_t slash = name.find('/', start);
    std::string_view comp = name.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (!IsComponent(comp)) return false;
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

std::string RefNameOf(const Descriptor& entry) {
  auto it = entry.annotations.find(kRefNameAnnotation);
  return it == entry.annotations.end() ? std::string() : it->second;
}

Result<std::vector<Descriptor>> ReferencedBy(const BlobStore& blobs, const Digest& digest,
                                             std::string_view media_type) {
  std::string mt(media_type);
  std::string bytes;
  if (mt.empty() || oci::IsManifestMediaType(mt) || oci::IsIndexMediaType(mt)) {
    if (mt.empty()) {
      ASSIGN_OR_RETURN(int64_t size, blobs.Size(digest));
      if (size > static_cast<int64_t>(oci::kMaxJsonBytes)) return std::vector<Descriptor>{};
    }
    auto read = blobs.ReadBlob(digest, oci::kMaxJsonBytes);
    if (!read.ok()) return read.status();
    bytes = std::move(read).value();
  }
  if (mt.empty()) {
    if (bytes.empty() || bytes[0] != '{') return std::vector<Descriptor>{};
    auto detected = oci::DetectManifestMediaType(bytes);
    if (!detected.ok()) return std::vector<Descriptor>{};
    mt = *detected;
  }
  std::vector<Descriptor> out;
  if (oci::IsManifestMediaType(mt)) {
    auto m = oci::ParseManifest(bytes);
    if (!m.ok()) return DataLossError("manifest " + digest.ToString() + " is unreadable: " + m.status().ToString());
    out.push_back(m->config);
    for (Descriptor& l : m->layers) out.push_back(std::move(l));
  } else if (oci::IsIndexMediaType(mt)) {
    auto index = oci::ParseIndex(bytes);
    if (!index.ok()) return DataLossError("index " + digest.ToString() + " is unreadable: " + index.status().ToString());
    out = std::move(index->manifests);
  }
  return out;
}

}  // namespace shale::internal
