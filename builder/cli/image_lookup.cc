#include "builder/cli/image_lookup.h"

#include <cstdio>
#include <vector>

#include "base/platform.h"
#include "registry/reference.h"
#include "storage/oci/index.h"
#include "storage/oci/json.h"
#include "storage/oci/media_types.h"

namespace shale::cli {

Result<std::unique_ptr<ImageStore>> OpenStore(const GlobalOptions& global) {
  std::string root = StoreRoot(global);
  auto store = ImageStore::Open(root);
  if (!store.ok()) return store.status().Annotate("opening store " + root);
  return store;
}

Result<std::string> NormalizeNewName(std::string_view text) {
  auto ref = ParseLocalName(text);
  if (!ref.ok()) return ref.status();
  return ref->ToString();
}

Result<ImageRecord> LookupImage(const ImageStore& store, std::string_view text, std::string* by_name) {
  if (by_name) by_name->clear();
  ASSIGN_OR_RETURN(std::vector<ImageRecord> all, store.List());
  auto named = [&](const std::string& name) -> const ImageRecord* {
    for (const ImageRecord& r : all)
      if (!r.name.empty() && r.name == name) return &r;
    return nullptr;
  };
  for (const std::string& candidate : LocalNameCandidates(text)) {
    if (const ImageRecord* r = named(candidate)) {
      if (by_name) *by_name = r->name;
      return *r;
    }
  }
  // Short-name match against what is stored: "busybox" finds "quay.io/x/busybox:latest".
  if (!HasExplicitDomain(text) && text.find('@') == std::string_view::npos) {
    std::string with_tag(text);
    size_t slash = with_tag.rfind('/');
    if (with_tag.find(':', slash == std::string::npos ? 0 : slash) == std::string::npos) with_tag += ":latest";
    for (const ImageRecord& r : all) {
      if (r.name.size() > with_tag.size() && r.name.ends_with("/" + with_tag)) {
        if (by_name) *by_name = r.name;
        return r;
      }
    }
  }
  auto by_id = store.Find(text);
  if (by_id.ok() || by_id.status().code() != StatusCode::kNotFound) return by_id;
  return NotFoundError("image not known: " + std::string(text.substr(0, 300)));
}

Result<ImageSummary> Summarize(const ImageStore& store, const ImageRecord& record) {
  ImageSummary s;
  s.top = record.manifest;
  s.manifest_descriptor = record.manifest;
  const BlobStore& blobs = store.blobs();
  if (oci::IsIndexMediaType(record.manifest.media_type)) {
    ASSIGN_OR_RETURN(std::string bytes, blobs.ReadBlob(record.manifest.digest, oci::kMaxJsonBytes));
    ASSIGN_OR_RETURN(oci::Index index, oci::ParseIndex(bytes));
    auto chosen = oci::SelectPlatform(index, Platform::Host());
    const Descriptor* pick = chosen.ok() && blobs.Has(chosen->digest) ? &*chosen : nullptr;
    if (!pick) {
      for (const Descriptor& d : index.manifests)
        if (oci::IsManifestMediaType(d.media_type) && blobs.Has(d.digest)) {
          pick = &d;
          break;
        }
    }
    if (!pick) {
      s.id = record.manifest.digest;
      return s;
    }
    s.manifest_descriptor = *pick;
  } else if (!oci::IsManifestMediaType(record.manifest.media_type)) {
    return UnimplementedError("unsupported media type \"" + record.manifest.media_type + "\" for " +
                              record.manifest.digest.ToString());
  }
  ASSIGN_OR_RETURN(s.manifest_bytes, blobs.ReadBlob(s.manifest_descriptor.digest, oci::kMaxJsonBytes));
  ASSIGN_OR_RETURN(s.manifest, oci::ParseManifest(s.manifest_bytes));
  ASSIGN_OR_RETURN(s.config_bytes, blobs.ReadBlob(s.manifest.config.digest, oci::kMaxJsonBytes));
  ASSIGN_OR_RETURN(s.config, oci::ParseImageConfig(s.config_bytes));
  s.id = s.manifest.config.digest;
  s.size = s.manifest.config.size;
  for (const Descriptor& l : s.manifest.layers) s.size += l.size;
  if (!s.config.created.empty()) s.created = oci::ParseRfc3339(s.config.created).value_or(0);
  return s;
}

std::pair<std::string, std::string> SplitName(const std::string& name) {
  if (name.empty()) return {"<none>", "<none>"};
  size_t at = name.find('@');
  std::string base = at == std::string::npos ? name : name.substr(0, at);
  size_t slash = base.rfind('/');
  size_t colon = base.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash))
    return {base.substr(0, colon), base.substr(colon + 1)};
  return {base, "<none>"};
}

std::string HumanSize(int64_t bytes) {
  static const char* kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1000 && u < 5) {
    v /= 1000;
    ++u;
  }
  char buf[32];
  if (u == 0) {
    std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(bytes));
  } else {
    std::snprintf(buf, sizeof buf, "%.3g %s", v, kUnits[u]);
  }
  return buf;
}

std::string HumanAgo(int64_t then, int64_t now) {
  if (then <= 0) return "N/A";
  int64_t d = now - then;
  auto plural = [](int64_t n, const char* unit) {
    return std::to_string(n) + " " + unit + (n == 1 ? "" : "s") + " ago";
  };
  if (d < 1) return "Less than a second ago";
  if (d < 60) return plural(d, "second");
  if (d < 120) return "About a minute ago";
  if (d < 3600) return plural(d / 60, "minute");
  if (d < 7200) return "About an hour ago";
  if (d < 86400 * 2) return plural(d / 3600, "hour");
  if (d < 86400 * 14) return plural(d / 86400, "day");
  if (d < 86400 * 60) return plural(d / (86400 * 7), "week");
  if (d < 86400 * 365 * 2) return plural(d / (86400 * 30), "month");
  return plural(d / (86400 * 365), "year");
}

}  // namespace shale::cli
