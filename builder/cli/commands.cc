// The list of `shale` subcommands. Each Register function is defined in its
// own cmd_<name>.cc.
#include "builder/cli/command.h"

namespace shale::cli {

void RegisterVersionCommand(CLI::App& app, CommandContext& ctx);

void RegisterAllCommands(CLI::App& app, CommandContext& ctx) {
  RegisterVersionCommand(app, ctx);
}

}  // namespace shale::cli
