#include "builder/base_image.h"

#include <cctype>
#include <cstdio>

#include "registry/pull.h"
#include "registry/reference.h"
#include "storage/oci/index.h"
#include "storage/oci/json.h"
#include "storage/oci/media_types.h"

namespace shale {

BaseImages::BaseImages(ImageStore* store, const BuildOptions* options, Platform platform)
    : store_(store), options_(options), platform_(std::move(platform)) {}

Result<ResolvedImage> LoadImage(ImageStore& store, const ImageRecord& record, const Platform& platform) {
  Descriptor desc = record.manifest;
  ASSIGN_OR_RETURN(std::string bytes, store.blobs().ReadBlob(desc.digest, oci::kMaxJsonBytes));
  std::string mt = desc.media_type;
  if (mt.empty()) {
    ASSIGN_OR_RETURN(mt, oci::DetectManifestMediaType(bytes));
  }
  if (oci::IsIndexMediaType(mt)) {
    ASSIGN_OR_RETURN(oci::Index index, oci::ParseIndex(bytes));
    ASSIGN_OR_RETURN(desc, oci::SelectPlatform(index, platform));
    ASSIGN_OR_RETURN(bytes, store.blobs().ReadBlob(desc.digest, oci::kMaxJsonBytes));
  }
  ASSIGN_OR_RETURN(oci::Manifest manifest, oci::ParseManifest(bytes));
  ASSIGN_OR_RETURN(std::string config_bytes, store.blobs().ReadBlob(manifest.config.digest, oci::kMaxJsonBytes));
  ASSIGN_OR_RETURN(oci::ImageConfig config, oci::ParseImageConfig(config_bytes));
  if (config.rootfs.diff_ids.size() != manifest.layers.size())
    return DataLossError("image " + record.name + ": manifest has " + std::to_string(manifest.layers.size()) +
                         " layers but the config lists " + std::to_string(config.rootfs.diff_ids.size()));
  ResolvedImage out;
  out.name = record.name;
  out.manifest_desc = desc;
  if (out.manifest_desc.media_type.empty()) out.manifest_desc.media_type = mt;
  out.config_digest = manifest.config.digest;
  out.config = std::move(config);
  out.layers = manifest.layers;
  return out;
}

Result<ResolvedImage> BaseImages::LoadLocal(const ImageRecord& record) {
  return LoadImage(*store_, record, platform_);
}

void BaseImages::SetNamedContexts(std::map<std::string, std::string> aliases, std::set<std::string> directories) {
  std::lock_guard<std::mutex> lock(mu_);
  aliases_ = std::move(aliases);
  directories_ = std::move(directories);
}

Result<ResolvedImage> BaseImages::Resolve(const std::string& name) {
  std::string reference = name;
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (directories_.count(lower))
      return InvalidArgumentError("build context \"" + name + "\" is a directory, not an image");
    if (auto it = aliases_.find(lower); it != aliases_.end()) reference = it->second;
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = cache_.find(reference); it != cache_.end()) return it->second;
  Status local_error;
  if (options_->pull != PullPolicy::kAlways) {
    std::vector<std::string> candidates = LocalNameCandidates(reference);
    candidates.push_back(reference);  // an image id or digest
    for (const auto& name : candidates) {
      auto record = store_->Find(name);
      if (!record.ok()) continue;
      auto image = LoadLocal(*record);
      if (!image.ok()) return image.status().Annotate("base image " + reference);
      cache_[reference] = *image;
      return image;
    }
  }
  if (options_->pull == PullPolicy::kNever)
    return NotFoundError("base image " + reference + " is not in the local store and --pull=never");
  PullOptions pull;
  pull.platform = platform_;
  pull.registry.credentials.authfile = options_->authfile;
  pull.signature_policy = options_->signature_policy;
  pull.registry.credentials.creds = options_->creds;
  pull.registry.progress = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
  pull.registry.cert_dir = options_->cert_dir;
  pull.registry.tls_verify = options_->tls_verify;
  auto pulled = PullImage(*store_, reference, pull);
  if (!pulled.ok()) return pulled.status();
  auto image = LoadLocal(pulled->record);
  if (!image.ok()) return image.status().Annotate("base image " + reference);
  cache_[reference] = *image;
  return image;
}

}  // namespace shale
