#include <cstdio>

#include "builder/cli/command.h"
#include "registry/login.h"

namespace shale::cli {

void RegisterLogoutCommand(CLI::App& app, CommandContext& ctx) {
  struct Flags {
    std::string server;
    std::string authfile;
    bool all = false;
  };
  auto flags = std::make_shared<Flags>();
  auto* cmd = app.add_subcommand("logout", "Remove the saved credentials of a registry (auth file and credential helper)");
  cmd->add_option("REGISTRY", flags->server, "Registry host[:port] (or host/namespace)");
  cmd->add_option("--authfile", flags->authfile, "Auth file (default: $REGISTRY_AUTH_FILE, podman's locations)");
  cmd->add_flag("-a,--all", flags->all,
                "Remove every auth file entry and erase the hosts the file names from their credential helpers");
  cmd->callback([&ctx, flags] {
    ctx.run = [flags]() -> int {
      if (flags->server.empty() == !flags->all) {
        std::fprintf(stderr, "Error: give exactly one of REGISTRY or --all\n");
        return kExitUsage;
      }
      CredentialOptions o;
      o.authfile = flags->authfile;
      Status s = Logout(flags->server, flags->all, o);
      if (!s.ok()) return ReportError(s);
      if (flags->all) {
        std::printf("Removed login credentials for all registries\n");
      } else {
        std::printf("Removed login credentials for %s\n", flags->server.c_str());
      }
      return kExitOk;
    };
  });
}

}  // namespace shale::cli
