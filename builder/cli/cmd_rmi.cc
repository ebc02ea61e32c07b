// shale rmi NAME...: remove image names; images left without a name are
// deleted (their blobs pruned).
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "builder/cli/command.h"
#include "builder/cli/image_lookup.h"

namespace shale::cli {

namespace {

struct RmiOptions {
  std::vector<std::string> images;
  bool force = false;
  bool ignore = false;
  bool all = false;
};

int RunRmi(const CommandContext& ctx, const RmiOptions& opt) {
  if (opt.images.empty() && !opt.all) {
    std::fprintf(stderr, "Error: rmi needs at least one image (or --all)\n");
    return kExitUsage;
  }
  auto store = OpenStore(ctx.global);
  if (!store.ok()) return ReportError(store.status());
  ImageStore& s = **store;
  std::vector<std::string> targets = opt.images;
  if (opt.all) {
    auto list = s.List();
    if (!list.ok()) return ReportError(list.status());
    for (const ImageRecord& r : *list) targets.push_back(r.name.empty() ? r.manifest.digest.ToString() : r.name);
  }
  int rc = kExitOk;
  std::map<std::string, std::string> touched;  // manifest digest -> image id, for those that lost a name
  for (const std::string& target : targets) {
    std::string by_name;
    auto record = LookupImage(s, target, &by_name);
    if (!record.ok()) {
      if (opt.ignore && record.status().code() == StatusCode::kNotFound) continue;
      rc = ReportError(record.status());
      continue;
    }
    auto list = s.List();
    if (!list.ok()) return ReportError(list.status());
    std::vector<std::string> names;
    if (!by_name.empty()) {
      names.push_back(by_name);
    } else {
      for (const ImageRecord& r : *list)
        if (r.manifest.digest == record->manifest.digest) names.push_back(r.name);
      int named = 0;
      for (const std::string& n : names) named += !n.empty();
      if (named > 1 && !opt.force) {
        rc = ReportError(FailedPreconditionError("image " + target + " has " + std::to_string(named) +
                                                 " names; remove them one by one or use --force"));
        continue;
      }
    }
    auto id = s.ImageId(*record);
    std::string id_hex = id.ok() ? id->hex() : record->manifest.digest.hex();
    Status st = by_name.empty() ? s.Remove(record->manifest.digest) : s.Untag(by_name);
    if (!st.ok() && st.code() != StatusCode::kNotFound) {
      rc = ReportError(st);
      continue;
    }
    for (const std::string& n : names)
      if (!n.empty()) std::printf("Untagged: %s\n", n.c_str());
    touched[record->manifest.digest.ToString()] = id_hex;
  }
  // Images that no entry names any more are deleted.
  auto list = s.List();
  if (!list.ok()) return ReportError(list.status());
  for (const auto& [digest, id] : touched) {
    bool still = false;
    for (const ImageRecord& r : *list) still |= r.manifest.digest.ToString() == digest;
    if (!still) std::printf("Deleted: %s\n", id.c_str());
  }
  auto pruned = s.Prune();
  if (!pruned.ok()) return ReportError(pruned.status().Annotate("freeing space"));
  return rc;
}

}  // namespace

void RegisterRmiCommand(CLI::App& app, CommandContext& ctx) {
  auto opt = std::make_shared<RmiOptions>();
  auto* cmd = app.add_subcommand("rmi", "Remove images (names) from the local store");
  cmd->add_option("IMAGE", opt->images, "Image names or ids");
  cmd->add_flag("-f,--force", opt->force, "Remove every name of an image given by id");
  cmd->add_flag("-i,--ignore", opt->ignore, "Ignore images that do not exist");
  cmd->add_flag("-a,--all", opt->all, "Remove all images");
  cmd->callback([&ctx, opt] { ctx.run = [&ctx, opt] { return RunRmi(ctx, *opt); }; });
}

}  // namespace shale::cli
