// shale: parse the command line, run one subcommand, exit with its code.
// Usage errors (unknown flag, bad argument) print one line and exit 125.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "base/log.h"
#include "builder/cli/command.h"
#include "runtime/userns_reexec.h"

namespace shale::cli {

namespace {
std::string StoreRootAsGiven(const GlobalOptions& global) {
  if (!global.root.empty()) return global.root;
  if (const char* env = std::getenv("SHALE_ROOT"); env && *env) return env;
  if (runtime::HostUid() == 0) return "/var/lib/shale";  // the user, also inside shale's user ns
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) return std::string(xdg) + "/shale";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/tmp") + "/.local/share/shale";
}
}  // namespace

std::string StoreRoot(const GlobalOptions& global) {
  // A relative --root/SHALE_ROOT is taken from the working directory, made
  // absolute once: RUN steps are given paths under it as their rootfs.
  std::string root = StoreRootAsGiven(global);
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(root, ec);
  return ec ? root : abs.lexically_normal().string();
}

int ReportError(const Status& status) {
  std::fprintf(stderr, "Error: %s\n", status.ToString().c_str());
  return kExitFailure;
}

std::optional<int> EnterUserNamespaceIfNeeded(int argc, char** argv);

namespace {

int Main(int argc, char** argv) {
  // Ordinary users re-enter shale in a user namespace for build/run-step/unshare
  // (cmd_unshare.cc); must happen before any thread starts.
  if (auto code = EnterUserNamespaceIfNeeded(argc, argv)) return *code;
  CLI::App app{"shale: build, store and push OCI images without a daemon", "shale"};
  app.require_subcommand(1);
  app.set_version_flag("-v,--version", SHALE_VERSION);
  CommandContext ctx;
  app.add_option("--root", ctx.global.root, "Image store root (also $SHALE_ROOT)");
  app.add_option("--storage-driver", ctx.global.storage_driver, "Snapshotter: overlay or native")
      ->check(CLI::IsMember({"overlay", "native"}));
  app.add_option("--log-level", ctx.global.log_level, "debug, info, warning or error")
      ->check(CLI::IsMember({"debug", "info", "warning", "error"}));
  RegisterAllCommands(app, ctx);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "Error: %s\n", e.what());
    return kExitUsage;
  }
  if (ctx.global.log_level == "debug") SetLogLevel(LogLevel::kDebug);
  if (ctx.global.log_level == "warning") SetLogLevel(LogLevel::kWarning);
  if (ctx.global.log_level == "error") SetLogLevel(LogLevel::kError);
  if (!ctx.run) {
    std::fprintf(stderr, "Error: no command given\n");
    return kExitUsage;
  }
  return ctx.run();
}

}  // namespace
}  // namespace shale::cli

int main(int argc, char** argv) { return shale::cli::Main(argc, argv); }
