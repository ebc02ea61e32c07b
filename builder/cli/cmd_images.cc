// shale images: list the images in the store, as a table or JSON.
#include <ctime>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "builder/cli/command.h"
#include "builder/cli/image_lookup.h"
#include "storage/oci/json.h"

namespace shale::cli {

namespace {

struct ImagesOptions {
  std::string format = "table";
  bool quiet = false;
  bool no_trunc = false;
  bool all = false;
  std::string filter;  // repository name to show
};

int RunImages(const CommandContext& ctx, const ImagesOptions& opt) {
  if (opt.format != "table" && opt.format != "json") {
    std::fprintf(stderr, "Error: --format: want table or json, got \"%s\"\n", opt.format.c_str());
    return kExitUsage;
  }
  auto store = OpenStore(ctx.global);
  if (!store.ok()) return ReportError(store.status());
  auto list = (*store)->List();
  if (!list.ok()) return ReportError(list.status());

  std::vector<std::string> filter_names;
  if (!opt.filter.empty()) {
    auto rec = LookupImage(**store, opt.filter);
    if (!rec.ok() && rec.status().code() != StatusCode::kNotFound) return ReportError(rec.status());
    for (const ImageRecord& r : *list)
      if (rec.ok() && r.manifest.digest == rec->manifest.digest) filter_names.push_back(r.name);
    if (filter_names.empty()) {
      // podman prints nothing (and succeeds) when a filter matches nothing.
      if (opt.format == "json") std::printf("[]\n");
      return kExitOk;
    }
  }
  auto wanted = [&](const ImageRecord& r) {
    if (filter_names.empty()) return true;
    for (const std::string& n : filter_names)
      if (n == r.name) return true;
    return false;
  };

  struct Row {
    ImageRecord record;
    ImageSummary summary;
  };
  std::vector<Row> rows;
  for (const ImageRecord& r : *list) {
    if (!wanted(r)) continue;
    auto s = Summarize(**store, r);
    if (!s.ok()) return ReportError(s.status().Annotate(r.name.empty() ? r.manifest.digest.ToString() : r.name));
    rows.push_back({r, std::move(s).value()});
  }

  if (opt.format == "json") {
    // One object per image (by id), with all its names, as podman does.
    nlohmann::json out = nlohmann::json::array();
    std::map<std::string, size_t> by_id;
    for (const Row& row : rows) {
      std::string id = row.summary.id.hex();
      auto it = by_id.find(id);
      if (it == by_id.end()) {
        nlohmann::json o = nlohmann::json::object();
        o["Id"] = id;
        o["Digest"] = row.record.manifest.digest.ToString();
        o["Names"] = nlohmann::json::array();
        o["RepoTags"] = nlohmann::json::array();
        o["Created"] = row.summary.created;
        o["CreatedAt"] = row.summary.config.created;
        o["Size"] = row.summary.size;
        o["Labels"] = row.summary.config.config ? nlohmann::json(row.summary.config.config->labels)
                                               : nlohmann::json::object();
        o["Dangling"] = true;
        it = by_id.emplace(id, out.size()).first;
        out.push_back(std::move(o));
      }
      if (!row.record.name.empty()) {
        out[it->second]["Names"].push_back(row.record.name);
        out[it->second]["RepoTags"].push_back(row.record.name);
        out[it->second]["Dangling"] = false;
      }
    }
    std::printf("%s\n", oci::PrettyJson(out).c_str());
    return kExitOk;
  }

  if (opt.quiet) {
    std::vector<std::string> seen;
    for (const Row& row : rows) {
      std::string id = opt.no_trunc ? row.summary.id.ToString() : row.summary.id.Short();
      bool dup = false;
      for (const auto& s : seen) dup |= s == id;
      if (!dup) {
        seen.push_back(id);
        std::printf("%s\n", id.c_str());
      }
    }
    return kExitOk;
  }

  int64_t now = ::time(nullptr);
  std::vector<std::vector<std::string>> table = {{"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"}};
  for (const Row& row : rows) {
    auto [repo, tag] = SplitName(row.record.name);
    table.push_back({repo, tag, opt.no_trunc ? row.summary.id.ToString() : row.summary.id.Short(),
                     HumanAgo(row.summary.created, now), HumanSize(row.summary.size)});
  }
  std::vector<size_t> width(5, 0);
  for (const auto& r : table)
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  for (const auto& r : table) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 2, ' ');
    }
    std::printf("%s\n", line.c_str());
  }
  return kExitOk;
}

}  // namespace

void RegisterImagesCommand(CLI::App& app, CommandContext& ctx) {
  auto opt = std::make_shared<ImagesOptions>();
  auto* cmd = app.add_subcommand("images", "List images in the local store");
  cmd->add_option("--format", opt->format, "Output format: table (default) or json");
  cmd->add_flag("-q,--quiet", opt->quiet, "Print image ids only");
  cmd->add_flag("--no-trunc", opt->no_trunc, "Do not shorten image ids");
  cmd->add_flag("-a,--all", opt->all, "Show all images (accepted for compatibility)");
  cmd->add_option("IMAGE", opt->filter, "Show only this image");
  cmd->callback([&ctx, opt] { ctx.run = [&ctx, opt] { return RunImages(ctx, *opt); }; });
}

}  // namespace shale::cli
