// shale tag SOURCE NAME...: give an image more names.
#include <cstdio>
#include <string>
#include <vector>

#include "builder/cli/command.h"
#include "builder/cli/image_lookup.h"

namespace shale::cli {

namespace {

struct TagOptions {
  std::vector<std::string> args;
};

int RunTag(const CommandContext& ctx, const TagOptions& opt) {
  if (opt.args.size() < 2) {
    std::fprintf(stderr, "Error: tag needs an image and at least one new name\n");
    return kExitUsage;
  }
  std::vector<std::string> names;
  for (size_t i = 1; i < opt.args.size(); ++i) {
    auto n = NormalizeNewName(opt.args[i]);
    if (!n.ok()) {
      std::fprintf(stderr, "Error: %s\n", n.status().ToString().c_str());
      return kExitUsage;
    }
    names.push_back(*n);
  }
  auto store = OpenStore(ctx.global);
  if (!store.ok()) return ReportError(store.status());
  auto record = LookupImage(**store, opt.args[0]);
  if (!record.ok()) return ReportError(record.status());
  for (const std::string& name : names) {
    Status s = (*store)->Tag(name, record->manifest);
    if (!s.ok()) return ReportError(s);
  }
  return kExitOk;
}

}  // namespace

void RegisterTagCommand(CLI::App& app, CommandContext& ctx) {
  auto opt = std::make_shared<TagOptions>();
  auto* cmd = app.add_subcommand("tag", "Add names to an image");
  cmd->add_option("IMAGE NAME", opt->args, "The image, then one or more new names")->required();
  cmd->callback([&ctx, opt] { ctx.run = [&ctx, opt] { return RunTag(ctx, *opt); }; });
}

}  // namespace shale::cli
