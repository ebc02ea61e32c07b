// shale images: list the images in the store, as a table or JSON.
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/fd.h"
#include "builder/cache_index.h"
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

// An intermediate image: the state after one step of a --layers build, as
// the build cache holds it (cache_index.h). It is listed by `images -a` the
// way buildah lists the intermediate images it keeps; its id is the digest
// its config has in canonical form. It is not an image in the store: it has
// no name and no manifest, and `inspect`/`rmi` do not know it.
struct Intermediate {
  Digest id;
  int64_t created = 0;
  int64_t size = 0;
};

std::vector<std::string> DirNames(const std::string& dir) {
  std::vector<std::string> names = ListDirNames(dir);
  std::sort(names.begin(), names.end());
  return names;
}

// Same filesystem state and history: the cache entry a stored image was
// committed from (the last step of its build), which buildah shows only once.
std::string StateSignature(const oci::ImageConfig& config) {
  std::string sig;
  for (const auto& d : config.rootfs.diff_ids) sig += d.ToString() + "\n";
  sig += "--\n";
  for (const auto& h : config.history) sig += h.created_by + (h.empty_layer ? "\t0\n" : "\t1\n");
  return sig;
}

// The build cache's entries (<root>/shale/build-cache/v1/<xx>/<key hex>)
// that are not already listed as stored images.
std::vector<Intermediate> ListIntermediates(const std::string& store_root, const ImageStore& store,
                                            const std::set<std::string>& listed_ids,
                                            const std::set<std::string>& listed_states) {
  std::vector<Intermediate> out;
  std::set<std::string> seen = listed_ids;
  BuildCache cache(store_root, &store.blobs());
  const std::string dir = store_root + "/shale/build-cache/v1";
  for (const std::string& shard : DirNames(dir)) {
    for (const std::string& name : DirNames(dir + "/" + shard)) {
      auto key = Digest::Parse("sha256:" + name);
      if (!key.ok()) continue;  // temp files and strays
      auto state = cache.Lookup(*key);
      if (!state) continue;
      if (listed_states.count(StateSignature(state->config))) continue;
      Digest id = Digest::Sha256(oci::SerializeImageConfig(state->config));
      if (!seen.insert(id.ToString()).second) continue;
      Intermediate im;
      im.id = id;
      im.created = state->config.created.empty() ? 0 : oci::ParseRfc3339(state->config.created).value_or(0);
      for (const auto& l : state->layers) im.size += l.size;
      out.push_back(im);
    }
  }
  std::sort(out.begin(), out.end(), [](const Intermediate& a, const Intermediate& b) {
    return a.created != b.created ? a.created < b.created : a.id.ToString() < b.id.ToString();
  });
  return out;
}

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

  // -a: intermediate images of --layers builds too (not with a name filter).
  std::vector<Intermediate> intermediates;
  if (opt.all && opt.filter.empty()) {
    std::set<std::string> ids, states;
    for (const Row& row : rows) {
      ids.insert(row.summary.id.ToString());
      states.insert(StateSignature(row.summary.config));
    }
    intermediates = ListIntermediates(StoreRoot(ctx.global), **store, ids, states);
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
    for (const Intermediate& im : intermediates) {
      nlohmann::json o = nlohmann::json::object();
      o["Id"] = im.id.hex();
      o["Names"] = nlohmann::json::array();
      o["RepoTags"] = nlohmann::json::array();
      o["Created"] = im.created;
      o["Size"] = im.size;
      o["Dangling"] = true;
      o["Intermediate"] = true;
      out.push_back(std::move(o));
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
    for (const Intermediate& im : intermediates)
      std::printf("%s\n", (opt.no_trunc ? im.id.ToString() : im.id.Short()).c_str());
    return kExitOk;
  }

  int64_t now = ::time(nullptr);
  std::vector<std::vector<std::string>> table = {{"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"}};
  for (const Row& row : rows) {
    auto [repo, tag] = SplitName(row.record.name);
    table.push_back({repo, tag, opt.no_trunc ? row.summary.id.ToString() : row.summary.id.Short(),
                     HumanAgo(row.summary.created, now), HumanSize(row.summary.size)});
  }
  for (const Intermediate& im : intermediates) {
    table.push_back({"<none>", "<none>", opt.no_trunc ? im.id.ToString() : im.id.Short(), HumanAgo(im.created, now),
                     HumanSize(im.size)});
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
  cmd->add_flag("-a,--all", opt->all, "Also show intermediate images (build cache entries of --layers builds)");
  cmd->add_option("IMAGE", opt->filter, "Show only this image");
  cmd->callback([&ctx, opt] { ctx.run = [&ctx, opt] { return RunImages(ctx, *opt); }; });
}

}  // namespace shale::cli
