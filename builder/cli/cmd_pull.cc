#include <cstdio>

#include "builder/cli/command.h"
#include "builder/cli/registry_flags.h"
#include "registry/pull.h"
#include "storage/image_store.h"

namespace shale::cli {

void RegisterPullCommand(CLI::App& app, CommandContext& ctx) {
  struct Flags {
    RegistryFlags registry;
    std::string image;
    std::string platform;
    std::string signature_policy;
    bool quiet = false;
  };
  auto flags = std::make_shared<Flags>();
  auto* cmd = app.add_subcommand("pull", "Pull an image from a registry into the local store");
  cmd->add_option("IMAGE", flags->image, "Image reference (short names follow registries.conf)")->required();
  cmd->add_option("--platform", flags->platform, "OS/ARCH[/VARIANT] to pull from a multi-platform image");
  cmd->add_flag("-q,--quiet", flags->quiet, "Print only the image ID");
  cmd->add_option("--signature-policy", flags->signature_policy, "Signature policy file (containers-policy.json)");
  AddRegistryFlags(cmd, flags->registry);
  cmd->callback([&ctx, flags] {
    ctx.run = [&ctx, flags]() -> int {
      PullOptions options;
      auto ro = ToRegistryOptions(flags->registry);
      if (!ro.ok()) {
        std::fprintf(stderr, "Error: %s\n", ro.status().message().c_str());
        return kExitUsage;
      }
      options.registry = *ro;
      options.signature_policy = flags->signature_policy;
      if (!flags->platform.empty()) {
        auto p = Platform::Parse(flags->platform);
        if (!p.ok()) {
          std::fprintf(stderr, "Error: --platform: %s\n", p.status().message().c_str());
          return kExitUsage;
        }
        options.platform = *p;
      }
      if (!flags->quiet)
        options.registry.progress = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
      auto store = ImageStore::Open(StoreRoot(ctx.global));
      if (!store.ok()) return ReportError(store.status());
      auto pulled = PullImage(**store, flags->image, options);
      if (!pulled.ok()) return ReportError(pulled.status());
      std::printf("%s\n", pulled->config.digest.hex().c_str());
      return kExitOk;
    };
  });
}

}  // namespace shale::cli
