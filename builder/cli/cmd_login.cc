#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "base/fd.h"
#include "builder/cli/command.h"
#include "builder/cli/registry_flags.h"
#include "registry/login.h"

namespace shale::cli {
namespace {

// Reads one line from the terminal; echo off for passwords.
std::string Prompt(const char* label, bool secret) {
  std::fprintf(stderr, "%s", label);
  std::fflush(stderr);
  termios old {};
  bool restore = secret && tcgetattr(0, &old) == 0;
  if (restore) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(0, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (restore) {
    tcsetattr(0, TCSANOW, &old);
    std::fprintf(stderr, "\n");
  }
  return line;
}

}  // namespace

void RegisterLoginCommand(CLI::App& app, CommandContext& ctx) {
  struct Flags {
    RegistryFlags registry;
    std::string server;
    std::string username;
    std::string password;
    bool password_stdin = false;
    bool get_login = false;
  };
  auto flags = std::make_shared<Flags>();
  auto* cmd = app.add_subcommand("login", "Log in to a registry (credentials are checked, then saved)");
  cmd->add_option("REGISTRY", flags->server, "Registry host[:port] (or host/namespace)")->required();
  cmd->add_option("-u,--username", flags->username, "Username");
  auto* pw = cmd->add_option("-p,--password", flags->password, "Password (prefer --password-stdin)");
  cmd->add_flag("--password-stdin", flags->password_stdin, "Read the password from stdin")->excludes(pw);
  cmd->add_flag("--get-login", flags->get_login, "Print the username stored for the registry");
  AddRegistryFlags(cmd, flags->registry, /*with_creds=*/false);
  cmd->callback([&ctx, flags] {
    ctx.run = [flags]() -> int {
      auto ro = ToRegistryOptions(flags->registry);
      if (!ro.ok()) {
        std::fprintf(stderr, "Error: %s\n", ro.status().message().c_str());
        return kExitUsage;
      }
      if (flags->get_login) {
        auto user = GetLogin(flags->server, ro->credentials);
        if (!user.ok()) return ReportError(user.status());
        std::printf("%s\n", user->c_str());
        return kExitOk;
      }
      Credentials creds;
      creds.username = flags->username;
      if (!flags->password.empty()) {
        std::fprintf(stderr, "WARNING! Using --password via the CLI is insecure. Please consider using --password-stdin\n");
        creds.password = flags->password;
      }
      bool tty = ::isatty(0);
      if (creds.username.empty()) {
        if (!tty || flags->password_stdin) {
          std::fprintf(stderr, "Error: no username given (-u) and stdin is not a terminal\n");
          return kExitUsage;
        }
        creds.username = Prompt("Username: ", false);
      }
      if (flags->password_stdin) {
        auto data = ReadAll(0, 64 << 10);
        if (!data.ok()) return ReportError(data.status().Annotate("reading the password from stdin"));
        creds.password = *data;
        while (!creds.password.empty() && (creds.password.back() == '\n' || creds.password.back() == '\r'))
          creds.password.pop_back();
      } else if (creds.password.empty()) {
        if (!tty) {
          std::fprintf(stderr, "Error: no password given (-p or --password-stdin) and stdin is not a terminal\n");
          return kExitUsage;
        }
        creds.password = Prompt("Password: ", true);
      }
      auto file = Login(flags->server, creds, *ro);
      if (!file.ok()) return ReportError(file.status());
      std::printf("Login Succeeded!\n");
      return kExitOk;
    };
  });
}

}  // namespace shale::cli
