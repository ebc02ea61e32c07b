#include "builder/image_commit.h"

#include "base/fd.h"
#include "registry/reference.h"
#include "storage/image_copy.h"
#include "storage/oci/image_config.h"
#include "storage/oci/json.h"
#include "storage/oci/manifest.h"
#include "storage/oci/media_types.h"

namespace shale::internal {

namespace {

// A target stage that is only `FROM <image>` with nothing asked of the
// commit: buildah hands back the base image itself, so the result gets
// neither an identity label nor base-image annotations.
bool BaseImageOnly(const BuildContext& ctx, const StageState& state) {
  const BuildOptions& o = *ctx.options;
  const frontend::Stage& stage = ctx.graph.stages[ctx.graph.target];
  return !state.base_name.empty() && stage.steps.empty() && o.labels.empty() && o.annotations.empty() &&
         o.env.empty() && o.unsetenv.empty() && !o.omit_history && !o.squash && !o.stage_labels;
}

struct WrittenImage {
  Descriptor config;
  Descriptor manifest;
};

// Writes config and manifest blobs for `state` (pinned by the lease). The
// final image gets --label/--annotation; every image gets the identity label
// and base annotations unless `base_only`.
Result<WrittenImage> WriteImage(BuildContext& ctx, const StageState& state, bool final_image, bool base_only) {
  const BuildOptions& o = *ctx.options;
  ASSIGN_OR_RETURN(oci::ImageFormat format, oci::ParseImageFormat(o.format));
  oci::ImageConfig config = state.config;
  if (!config.config) config.config.emplace();
  if (!o.identity_label.empty() && !base_only) config.config->labels[kIdentityLabel] = o.identity_label;
  if (final_image)
    for (const auto& [k, v] : o.labels) config.config->labels[k] = v;
  if (config.created.empty()) config.created = ctx.created;
  if (config.architecture.empty() || config.os.empty()) config.set_platform(ctx.platform);
  std::string config_bytes = oci::SerializeImageConfig(config);

  oci::Manifest manifest;
  manifest.media_type = media_type::kOciManifest;
  ASSIGN_OR_RETURN(manifest.config, ctx.store->blobs().PutBlob(config_bytes, media_type::kOciConfig));
  manifest.layers = state.layers;
  for (auto& l : manifest.layers) {
    ASSIGN_OR_RETURN(l.media_type, oci::ConvertMediaType(l.media_type, oci::ImageFormat::kOci));
  }
  if (!state.base_name.empty() && !base_only) {
    manifest.annotations[std::string(kBaseNameAnnotation)] = state.base_name;
    manifest.annotations[std::string(kBaseDigestAnnotation)] = state.base_digest;
  }
  if (final_image)
    for (const auto& [k, v] : o.annotations) manifest.annotations[k] = v;
  if (format == oci::ImageFormat::kDocker) {
    ASSIGN_OR_RETURN(manifest, oci::ConvertManifest(manifest, format));
  }
  std::string manifest_bytes = oci::SerializeManifest(manifest);
  ASSIGN_OR_RETURN(Descriptor manifest_desc, ctx.store->blobs().PutBlob(manifest_bytes, manifest.media_type));
  if (ctx.lease) {
    ctx.lease->Pin(manifest.config.digest).IgnoreError();
    ctx.lease->Pin(manifest_desc.digest).IgnoreError();
  }
  return WrittenImage{manifest.config, manifest_desc};
}

}  // namespace

Result<Digest> CommitStageImage(BuildContext& ctx, StageState& state) {
  ASSIGN_OR_RETURN(WrittenImage img, WriteImage(ctx, state, /*final_image=*/false, /*base_only=*/false));
  RETURN_IF_ERROR(ctx.store->Tag("", img.manifest));
  return img.config.digest;
}

Result<BuildOutcome> CommitImage(BuildContext& ctx, StageState& state) {
  const BuildOptions& o = *ctx.options;
  // Names first, so a bad -t fails before anything is written.
  std::vector<std::string> names;
  for (const auto& tag : o.tags) {
    auto ref = ParseLocalName(tag);
    if (!ref.ok()) return ref.status().Annotate("tag " + tag);
    names.push_back(ref->ToString());
  }
  ASSIGN_OR_RETURN(WrittenImage img, WriteImage(ctx, state, /*final_image=*/true, BaseImageOnly(ctx, state)));
  Descriptor manifest_desc = img.manifest;
  if (names.empty()) {
    RETURN_IF_ERROR(ctx.store->Tag("", manifest_desc));
  }
  for (const auto& name : names) RETURN_IF_ERROR(ctx.store->Tag(name, manifest_desc));
  // -t oci:DIR[:REF]: the image (also kept, unnamed if -t gave no name, in
  // the store, so the cache has it) is copied into that layout.
  for (const auto& text : o.oci_layouts) {
    ASSIGN_OR_RETURN(OciLayoutTarget target, ParseOciLayoutTarget(text.substr(4)));
    auto layout = ImageStore::Open(target.dir);
    if (!layout.ok()) return layout.status().Annotate("tag " + text);
    RETURN_IF_ERROR(CopyImage(*ctx.store, manifest_desc, **layout, target.ref).Annotate("tag " + text));
  }

  BuildOutcome out;
  out.image_id = img.config.digest.ToString();
  out.manifest = manifest_desc;
  out.names = names;
  if (!o.iidfile.empty()) RETURN_IF_ERROR(WriteFileAtomic(o.iidfile, out.image_id));
  if (!o.iidfile_raw.empty()) RETURN_IF_ERROR(WriteFileAtomic(o.iidfile_raw, img.config.digest.hex()));
  std::vector<std::string> shown = names;
  shown.insert(shown.end(), o.oci_layouts.begin(), o.oci_layouts.end());
  ctx.progress->Commit(shown, out.image_id);
  return out;
}

}  // namespace shale::internal
