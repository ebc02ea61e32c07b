// shale prune: delete blobs no image name (or running command) uses.
#include <cstdio>
#include <string>

#include "builder/cli/command.h"
#include "builder/cli/image_lookup.h"

namespace shale::cli {

void RegisterPruneCommand(CLI::App& app, CommandContext& ctx) {
  auto force = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("prune", "Remove unused blobs and stale temporary files from the store");
  cmd->add_flag("-f,--force", *force, "Do not ask for confirmation (shale never asks)");
  cmd->callback([&ctx] {
    ctx.run = [&ctx] {
      auto store = OpenStore(ctx.global);
      if (!store.ok()) return ReportError(store.status());
      auto report = (*store)->Prune();
      if (!report.ok()) return ReportError(report.status());
      std::printf("Removed %lld blob(s), %s; %lld stale temporary file(s); %lld abandoned working dir(s), %s\n",
                  static_cast<long long>(report->blobs_removed), HumanSize(report->bytes_freed).c_str(),
                  static_cast<long long>(report->temp_files_removed),
                  static_cast<long long>(report->stale_dirs_removed),
                  HumanSize(report->stale_dir_bytes_freed).c_str());
      for (const std::string& p : report->stale_dir_problems) std::fprintf(stderr, "warning: %s\n", p.c_str());
      return kExitOk;
    };
  });
}

}  // namespace shale::cli
