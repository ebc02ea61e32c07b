// The list of `shale` subcommands. Each Register function is defined in its
// own cmd_<name>.cc.
#include "builder/cli/command.h"

namespace shale::cli {

void RegisterVersionCommand(CLI::App& app, CommandContext& ctx);
void RegisterInfoCommand(CLI::App& app, CommandContext& ctx);
void RegisterRunStepCommand(CLI::App& app, CommandContext& ctx);
void RegisterUnshareCommand(CLI::App& app, CommandContext& ctx);
void RegisterImagesCommand(CLI::App& app, CommandContext& ctx);
void RegisterInspectCommand(CLI::App& app, CommandContext& ctx);
void RegisterTagCommand(CLI::App& app, CommandContext& ctx);
void RegisterRmiCommand(CLI::App& app, CommandContext& ctx);
void RegisterPruneCommand(CLI::App& app, CommandContext& ctx);
void RegisterCheckCommand(CLI::App& app, CommandContext& ctx);
void RegisterImportCommand(CLI::App& app, CommandContext& ctx);
void RegisterLoginCommand(CLI::App& app, CommandContext& ctx);
void RegisterLogoutCommand(CLI::App& app, CommandContext& ctx);
void RegisterPullCommand(CLI::App& app, CommandContext& ctx);
void RegisterPushCommand(CLI::App& app, CommandContext& ctx);
void RegisterParseCommand(CLI::App& app, CommandContext& ctx);
void RegisterBuildCommand(CLI::App& app, CommandContext& ctx);

void RegisterAllCommands(CLI::App& app, CommandContext& ctx) {
  RegisterVersionCommand(app, ctx);
  RegisterInfoCommand(app, ctx);
  RegisterRunStepCommand(app, ctx);
  RegisterUnshareCommand(app, ctx);
  RegisterImagesCommand(app, ctx);
  RegisterInspectCommand(app, ctx);
  RegisterTagCommand(app, ctx);
  RegisterRmiCommand(app, ctx);
  RegisterPruneCommand(app, ctx);
  RegisterCheckCommand(app, ctx);
  RegisterImportCommand(app, ctx);
  RegisterLoginCommand(app, ctx);
  RegisterLogoutCommand(app, ctx);
  RegisterPullCommand(app, ctx);
  RegisterPushCommand(app, ctx);
  RegisterParseCommand(app, ctx);
  RegisterBuildCommand(app, ctx);
}

}  // namespace shale::cli
