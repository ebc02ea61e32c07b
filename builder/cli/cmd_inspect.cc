// shale inspect: an image's details as JSON (podman-like), or its raw
// manifest or config; --format renders a Go template (go_template.h) over
// the details plus buildah's view (inspect_view.h).
#include <cstdio>
#include <string>
#include <vector>

#include "builder/cli/command.h"
#include "builder/cli/go_template.h"
#include "builder/cli/inspect_view.h"
#include "builder/cli/image_lookup.h"
#include "storage/oci/json.h"
#include "storage/oci/media_types.h"

namespace shale::cli {

namespace {

using nlohmann::json;

struct InspectOptions {
  std::vector<std::string> images;
  std::string type = "image";
  std::string format;
};

json ImageJson(const ImageStore& store, const ImageRecord& record, const ImageSummary& s) {
  json o = json::object();
  o["Id"] = s.id.hex();
  o["Digest"] = record.manifest.digest.ToString();
  json tags = json::array(), digests = json::array();
  if (auto all = store.List(); all.ok()) {
    for (const ImageRecord& r : *all) {
      if (r.manifest.digest != record.manifest.digest || r.name.empty()) continue;
      tags.push_back(r.name);
      digests.push_back(SplitName(r.name).first + "@" + r.manifest.digest.ToString());
    }
  }
  o["RepoTags"] = tags;
  o["RepoDigests"] = digests;
  o["Created"] = s.config.created;
  o["Author"] = s.config.author;
  o["Architecture"] = s.config.architecture;
  o["Os"] = s.config.os;
  if (!s.config.variant.empty()) o["Variant"] = s.config.variant;
  json full = oci::ParseJson(s.config_bytes, "config").value_or(json::object());
  o["Config"] = full.contains("config") ? full["config"] : json::object();
  o["Labels"] = s.config.config ? json(s.config.config->labels) : json::object();
  json layers = json::array();
  for (const Digest& d : s.config.rootfs.diff_ids) layers.push_back(d.ToString());
  o["RootFS"] = {{"Type", s.config.rootfs.type}, {"Layers", layers}};
  o["History"] = full.contains("history") ? full["history"] : json::array();
  o["Size"] = s.size;
  o["ManifestType"] = s.manifest_descriptor.media_type;
  o["Annotations"] = s.manifest.annotations;
  json layer_digests = json::array();
  for (const Descriptor& l : s.manifest.layers) layer_digests.push_back(l.digest.ToString());
  o["Layers"] = layer_digests;
  return o;
}

int RunInspect(const CommandContext& ctx, const InspectOptions& opt) {
  if (opt.type != "image" && opt.type != "manifest" && opt.type != "config") {
    std::fprintf(stderr, "Error: --type: want image, manifest or config, got \"%s\"\n", opt.type.c_str());
    return kExitUsage;
  }
  auto store = OpenStore(ctx.global);
  if (!store.ok()) return ReportError(store.status());
  json all = json::array();
  std::vector<GoTemplateData> views;
  std::vector<std::string> raw;
  for (const std::string& name : opt.images) {
    auto record = LookupImage(**store, name);
    if (!record.ok()) return ReportError(record.status());
    if (opt.type == "manifest" && opt.format.empty()) {
      // The top-level document exactly as stored (digests are over these bytes).
      auto bytes = (*store)->blobs().ReadBlob(record->manifest.digest, oci::kMaxJsonBytes);
      if (!bytes.ok()) return ReportError(bytes.status().Annotate(name));
      raw.push_back(*bytes);
      continue;
    }
    auto s = Summarize(**store, *record);
    if (!s.ok()) return ReportError(s.status().Annotate(name));
    if (opt.type == "config" && opt.format.empty()) {
      raw.push_back(s->config_bytes);
      continue;
    }
    if (opt.type == "image" && !opt.format.empty()) {
      views.push_back(InspectTemplateView(ImageJson(**store, *record, *s), *s, name));
    } else if (opt.type == "image") {
      all.push_back(ImageJson(**store, *record, *s));
    } else {
      auto doc = oci::ParseJson(opt.type == "config" ? s->config_bytes : s->manifest_bytes, opt.type);
      if (!doc.ok()) return ReportError(doc.status());
      all.push_back(*doc);
    }
  }
  for (const std::string& r : raw) std::printf("%s\n", r.c_str());
  if (!raw.empty()) return kExitOk;
  if (!opt.format.empty()) {
    for (const json& o : all) views.push_back(GoTemplateData{nlohmann::ordered_json(o), {}});
    for (const GoTemplateData& v : views) {
      auto text = RenderGoTemplate(opt.format, v);
      if (!text.ok()) {
        std::fprintf(stderr, "Error: %s\n", text.status().message().c_str());
        return kExitUsage;
      }
      std::printf("%s\n", text->c_str());
    }
    return kExitOk;
  }
  std::printf("%s\n", oci::PrettyJson(all).c_str());
  return kExitOk;
}

}  // namespace

void RegisterInspectCommand(CLI::App& app, CommandContext& ctx) {
  auto opt = std::make_shared<InspectOptions>();
  auto* cmd = app.add_subcommand("inspect", "Show an image's configuration, manifest or config as JSON");
  cmd->add_option("IMAGE", opt->images, "Image names or ids")->required();
  cmd->add_option("-t,--type", opt->type,
                  "image: details as a JSON array (default); manifest or config: the stored document");
  cmd->add_option("-f,--format", opt->format, "Go template, e.g. '{{.Id}}', '{{json .Config.Env}}', '{{.OCIv1.Config.Labels}}'");
  cmd->callback([&ctx, opt] { ctx.run = [&ctx, opt] { return RunInspect(ctx, *opt); }; });
}

}  // namespace shale::cli
