#include <cstdio>

#include "builder/cli/command.h"

#ifndef SHALE_VERSION
#define SHALE_VERSION "0.0.0"
#endif

namespace shale::cli {

void RegisterVersionCommand(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand("version", "Print the shale version");
  cmd->callback([&ctx] {
    ctx.run = [] {
      std::printf("shale version %s\n", SHALE_VERSION);
      return kExitOk;
    };
  });
}

}  // namespace shale::cli
