#include <cstdio>

#include "builder/cli/command.h"
#include "builder/cli/registry_flags.h"
#include "registry/push.h"
#include "storage/image_store.h"

namespace shale::cli {

void RegisterPushCommand(CLI::App& app, CommandContext& ctx) {
  struct Flags {
    RegistryFlags registry;
    std::string image;
    std::string destination;
    std::string format;
    std::string digestfile;
    bool quiet = false;
  };
  auto flags = std::make_shared<Flags>();
  auto* cmd = app.add_subcommand("push", "Push an image from the local store to a registry");
  cmd->add_option("IMAGE", flags->image, "Local image name or ID")->required();
  cmd->add_option("DESTINATION", flags->destination, "Where to push (default: the image name)");
  cmd->add_option("-f,--format", flags->format,
                  "Manifest format: oci or docker (converting changes the manifest digest)")
      ->check(CLI::IsMember({"oci", "docker", "v2s2"}));
  cmd->add_option("--digestfile", flags->digestfile, "Write the pushed manifest digest to this file");
  cmd->add_flag("-q,--quiet", flags->quiet, "No progress output");
  AddRegistryFlags(cmd, flags->registry);
  cmd->callback([&ctx, flags] {
    ctx.run = [&ctx, flags]() -> int {
      PushOptions options;
      auto ro = ToRegistryOptions(flags->registry);
      if (!ro.ok()) {
        std::fprintf(stderr, "Error: %s\n", ro.status().message().c_str());
        return kExitUsage;
      }
      options.registry = *ro;
      options.format = flags->format;
      options.digestfile = flags->digestfile;
      if (!flags->quiet)
        options.registry.progress = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
      auto store = ImageStore::Open(StoreRoot(ctx.global));
      if (!store.ok()) return ReportError(store.status());
      auto pushed = PushImage(**store, flags->image, flags->destination, options);
      if (!pushed.ok()) return ReportError(pushed.status());
      if (!flags->quiet) std::fprintf(stderr, "Pushed %s@%s\n", pushed->destination.Name().c_str(),
                                      pushed->manifest_digest.ToString().c_str());
      return kExitOk;
    };
  });
}

}  // namespace shale::cli
