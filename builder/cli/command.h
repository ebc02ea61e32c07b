// How CLI commands plug into `shale`. Each command lives in its own
// builder/cli/cmd_<name>.cc and exposes a Register<Name>Command function,
// called from commands.cc. A command's callback returns the process exit code.
#ifndef SHALE_BUILDER_CLI_COMMAND_H_
#define SHALE_BUILDER_CLI_COMMAND_H_

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

#include "base/status.h"

namespace shale::cli {

// Exit codes, as podman/buildah use them.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;    // the command ran and failed
inline constexpr int kExitUsage = 125;    // bad flags or arguments, or shale itself failed

// Options every command sees.
struct GlobalOptions {
  std::string root;           // --root; empty: SHALE_ROOT, then the default
  std::string storage_driver; // --storage-driver overlay|native; empty: auto
  std::string log_level;      // --log-level debug|info|warning|error
};

// Shared state handed to every Register function. `run` is set by the
// selected subcommand's callback; main() calls it after parsing.
struct CommandContext {
  GlobalOptions global;
  std::function<int()> run;
};

// The store root: --root, else $SHALE_ROOT, else /var/lib/shale for root and
// ${XDG_DATA_HOME:-~/.local/share}/shale for other users.
std::string StoreRoot(const GlobalOptions& global);

// Prints "Error: <status>" to stderr and returns kExitFailure.
int ReportError(const Status& status);

void RegisterAllCommands(CLI::App& app, CommandContext& ctx);

}  // namespace shale::cli

#endif  // SHALE_BUILDER_CLI_COMMAND_H_
