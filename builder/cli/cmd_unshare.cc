// shale unshare [-- CMD...]: runs CMD (default $SHELL, else /bin/sh) inside
// shale's rootless user namespace, like `buildah unshare`: as root there,
// with the user's subuid/subgid ranges mapped. Useful to inspect or clean a
// rootless store whose files belong to subordinate ids.
//
// Also defines EnterUserNamespaceIfNeeded(), called early in main().
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cstdio>
#include <optional>
#include <string>

#include "builder/cli/command.h"
#include "runtime/userns_reexec.h"

namespace shale::cli {
namespace {

struct UnshareOptions {
  std::vector<std::string> args;
};

int RunUnshare(const UnshareOptions& o) {
  std::vector<std::string> args = o.args;
  if (args.empty()) {
    const char* shell = getenv("SHELL");
    args.push_back(shell && *shell ? shell : "/bin/sh");
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  execvp(argv[0], argv.data());
  std::fprintf(stderr, "Error: exec %s: %s\n", argv[0], strerror(errno));
  return errno == ENOENT ? 127 : 126;
}

}  // namespace

// The commands that need container-root as an ordinary user: running steps,
// and (for layer ownership) building. Global options that take a value are
// skipped to find the subcommand.
std::optional<int> EnterUserNamespaceIfNeeded(int argc, char** argv) {
  std::string command;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--root" || a == "--storage-driver" || a == "--log-level") {
      ++i;
      continue;
    }
    if (!a.empty() && a[0] == '-') continue;
    command = a;
    break;
  }
  const bool fatal = command == "run-step" || command == "unshare";
  if (!fatal && command != "build" && command != "bud") return std::nullopt;
  auto r = runtime::MaybeReexecInUserNamespace(argc, argv);
  if (!r.ok()) {
    if (fatal) {
      std::fprintf(stderr, "Error: %s\n", r.status().ToString().c_str());
      return kExitUsage;
    }
    std::fprintf(stderr, "Warning: %s; RUN steps will not work\n", r.status().ToString().c_str());
    return std::nullopt;
  }
  return *r;
}

void RegisterUnshareCommand(CLI::App& app, CommandContext& ctx) {
  auto o = std::make_shared<UnshareOptions>();
  auto* cmd = app.add_subcommand("unshare", "Run a command inside shale's rootless user namespace");
  cmd->add_option("args", o->args, "Command and arguments (default: $SHELL)");
  cmd->callback([&ctx, o] { ctx.run = [o] { return RunUnshare(*o); }; });
}

}  // namespace shale::cli
