// shale check: verify every image and blob in the store; --repair fixes what
// can be fixed. Exit 1 when problems remain.
#include <cstdio>

#include "builder/cli/command.h"
#include "builder/cli/image_lookup.h"

namespace shale::cli {

void RegisterCheckCommand(CLI::App& app, CommandContext& ctx) {
  auto repair = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("check", "Verify the store: every image complete, every blob matching its digest");
  cmd->add_flag("--repair", *repair,
                "Delete corrupt blobs, drop incomplete images, rebuild a corrupt index.json");
  cmd->callback([&ctx, repair] {
    ctx.run = [&ctx, repair] {
      auto store = OpenStore(ctx.global);
      if (!store.ok()) return ReportError(store.status());
      auto report = (*store)->Check(*repair);
      if (!report.ok()) return ReportError(report.status());
      for (const std::string& r : report->repairs) std::printf("repaired: %s\n", r.c_str());
      for (const std::string& p : report->problems) std::printf("problem: %s\n", p.c_str());
      std::printf("%lld image(s), %lld blob(s) checked: %s\n", static_cast<long long>(report->images_checked),
                  static_cast<long long>(report->blobs_checked),
                  report->ok() ? "OK" : (std::to_string(report->problems.size()) + " problem(s)").c_str());
      return report->ok() ? kExitOk : kExitFailure;
    };
  });
}

}  // namespace shale::cli
