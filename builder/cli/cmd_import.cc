// shale import FILE|- [NAME]: a rootfs tarball (plain, gzip or zstd) becomes a
// one-layer image, as `podman import` does.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "base/platform.h"
#include "builder/cli/command.h"
#include "builder/cli/image_lookup.h"
#include "storage/layer_import.h"
#include "storage/oci/image_config.h"
#include "storage/oci/json.h"
#include "storage/oci/manifest.h"

namespace shale::cli {

namespace {

struct ImportOptions {
  std::string source;
  std::string name;
  std::vector<std::string> changes;
  std::string message;
  std::string platform;  // os/arch[/variant]; default: host
  std::string compression = "gzip";
  bool quiet = false;
};

std::string Trim(std::string s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.erase(0, 1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
  return s;
}

std::string Unquote(std::string s) {
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front()) return s.substr(1, s.size() - 2);
  return s;
}

// JSON array form, or shell form wrapped in /bin/sh -c.
Result<std::vector<std::string>> CommandForm(const std::string& arg) {
  if (!arg.empty() && arg[0] == '[') {
    auto j = oci::ParseJson(arg, "--change");
    if (j.ok() && j->is_array()) {
      std::vector<std::string> out;
      for (const auto& e : *j) {
        if (!e.is_string()) return InvalidArgumentError("--change: JSON form must be an array of strings");
        out.push_back(e.get<std::string>());
      }
      return out;
    }
  }
  return std::vector<std::string>{"/bin/sh", "-c", arg};
}

// "KEY=value KEY2=value2" or "KEY value".
Result<std::vector<std::pair<std::string, std::string>>> Pairs(const std::string& arg, const char* what) {
  std::vector<std::pair<std::string, std::string>> out;
  if (arg.find('=') == std::string::npos) {
    size_t sp = arg.find_first_of(" \t");
    if (sp == std::string::npos) return InvalidArgumentError(std::string("--change ") + what + ": want KEY=value");
    out.emplace_back(arg.substr(0, sp), Trim(arg.substr(sp + 1)));
    return out;
  }
  size_t pos = 0;
  while (pos < arg.size()) {
    while (pos < arg.size() && arg[pos] == ' ') ++pos;
    if (pos >= arg.size()) break;
    size_t eq = arg.find('=', pos);
    if (eq == std::string::npos) return InvalidArgumentError(std::string("--change ") + what + ": want KEY=value");
    std::string key = arg.substr(pos, eq - pos);
    size_t end;
    std::string value;
    if (eq + 1 < arg.size() && arg[eq + 1] == '"') {
      end = arg.find('"', eq + 2);
      if (end == std::string::npos) return InvalidArgumentError(std::string("--change ") + what + ": unterminated quote");
      value = arg.substr(eq + 2, end - eq - 2);
      ++end;
    } else {
      end = arg.find(' ', eq + 1);
      if (end == std::string::npos) end = arg.size();
      value = arg.substr(eq + 1, end - eq - 1);
    }
    if (key.empty()) return InvalidArgumentError(std::string("--change ") + what + ": empty key");
    out.emplace_back(key, value);
    pos = end;
  }
  return out;
}

// Applies one Containerfile-style instruction (the ones podman import takes).
Status ApplyChange(const std::string& change, oci::ContainerConfig* c) {
  std::string t = Trim(change);
  size_t sp = t.find_first_of(" \t=");
  std::string op = t.substr(0, sp), arg = sp == std::string::npos ? "" : Trim(t.substr(sp + 1));
  for (char& ch : op) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (op == "CMD") {
    ASSIGN_OR_RETURN(c->cmd, CommandForm(arg));
  } else if (op == "ENTRYPOINT") {
    ASSIGN_OR_RETURN(c->entrypoint, CommandForm(arg));
  } else if (op == "ENV") {
    ASSIGN_OR_RETURN(auto pairs, Pairs(arg, "ENV"));
    for (auto& [k, v] : pairs) {
      std::erase_if(c->env, [&](const std::string& e) { return e.starts_with(k + "="); });
      c->env.push_back(k + "=" + v);
    }
  } else if (op == "LABEL") {
    ASSIGN_OR_RETURN(auto pairs, Pairs(arg, "LABEL"));
    for (auto& [k, v] : pairs) c->labels[Unquote(k)] = v;
  } else if (op == "WORKDIR") {
    c->working_dir = arg;
  } else if (op == "USER") {
    c->user = arg;
  } else if (op == "STOPSIGNAL") {
    c->stop_signal = arg;
  } else if (op == "EXPOSE") {
    size_t pos = 0;
    while (pos < arg.size()) {
      size_t end = arg.find(' ', pos);
      std::string port = arg.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
      if (!port.empty()) c->exposed_ports.insert(port.find('/') == std::string::npos ? port + "/tcp" : port);
      if (end == std::string::npos) break;
      pos = end + 1;
    }
  } else if (op == "VOLUME") {
    auto list = CommandForm(arg);
    if (list.ok() && !arg.empty() && arg[0] == '[') {
      for (const std::string& v : *list) c->volumes.insert(v);
    } else if (!arg.empty()) {
      c->volumes.insert(arg);
    }
  } else {
    return InvalidArgumentError("--change: unsupported instruction \"" + op +
                                "\" (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR)");
  }
  return Status();
}

int RunImport(const CommandContext& ctx, const ImportOptions& opt) {
  std::string name;
  if (!opt.name.empty()) {
    auto n = NormalizeNewName(opt.name);
    if (!n.ok()) {
      std::fprintf(stderr, "Error: %s\n", n.status().ToString().c_str());
      return kExitUsage;
    }
    name = *n;
  }
  Platform platform = Platform::Host();
  if (!opt.platform.empty()) {
    auto p = Platform::Parse(opt.platform);
    if (!p.ok()) {
      std::fprintf(stderr, "Error: --platform: %s\n", p.status().message().c_str());
      return kExitUsage;
    }
    platform = *p;
  }
  auto compression = ParseCompression(opt.compression);
  if (!compression.ok()) {
    std::fprintf(stderr, "Error: --compression: %s\n", compression.status().message().c_str());
    return kExitUsage;
  }
  oci::ImageConfig config;
  config.set_platform(platform);
  config.config = oci::ContainerConfig{};
  for (const std::string& change : opt.changes) {
    Status s = ApplyChange(change, &*config.config);
    if (!s.ok()) {
      std::fprintf(stderr, "Error: %s\n", s.message().c_str());
      return kExitUsage;
    }
  }

  UniqueFd owned;
  int fd = 0;
  if (opt.source != "-") {
    owned = UniqueFd(::open(opt.source.c_str(), O_RDONLY | O_CLOEXEC));
    if (!owned.valid()) return ReportError(ErrnoToStatus(errno, "opening " + opt.source));
    fd = owned.get();
  }
  auto store = OpenStore(ctx.global);
  if (!store.ok()) return ReportError(store.status());
  auto lease = (*store)->AcquireLease();
  if (!lease.ok()) return ReportError(lease.status());

  LayerWriterOptions lopt;
  lopt.compression = *compression;
  lopt.source_date_epoch = SourceDateEpochFromEnv();
  auto layer = ImportTarStream(fd, (*store)->blobs(), lopt);
  if (!layer.ok()) return ReportError(layer.status().Annotate("importing " + opt.source));

  int64_t created = lopt.source_date_epoch.value_or(static_cast<int64_t>(::time(nullptr)));
  config.created = oci::FormatRfc3339(created);
  config.rootfs.diff_ids = {layer->diff_id};
  oci::HistoryEntry history;
  history.created = config.created;
  history.created_by = "shale import";
  history.comment = opt.message;
  config.history = {history};

  auto config_desc = (*store)->blobs().PutBlob(oci::SerializeImageConfig(config), media_type::kOciConfig);
  if (!config_desc.ok()) return ReportError(config_desc.status());
  oci::Manifest manifest;
  manifest.config = *config_desc;
  manifest.layers = {layer->descriptor};
  auto manifest_desc = (*store)->blobs().PutBlob(oci::SerializeManifest(manifest), media_type::kOciManifest);
  if (!manifest_desc.ok()) return ReportError(manifest_desc.status());
  Status tagged = (*store)->Tag(name, *manifest_desc);
  if (!tagged.ok()) return ReportError(tagged);
  std::printf("%s\n", config_desc->digest.hex().c_str());
  return kExitOk;
}

}  // namespace

void RegisterImportCommand(CLI::App& app, CommandContext& ctx) {
  auto opt = std::make_shared<ImportOptions>();
  auto* cmd = app.add_subcommand("import", "Create a one-layer image from a rootfs tarball (plain, gzip or zstd)");
  cmd->add_option("SOURCE", opt->source, "Tarball path, or - for stdin")->required();
  cmd->add_option("NAME", opt->name, "Image name (no registry: localhost/; no tag: :latest)");
  cmd->add_option("-c,--change", opt->changes,
                  "Apply an instruction: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR")
      ->allow_extra_args(false);
  cmd->add_option("-m,--message", opt->message, "Comment for the image history");
  cmd->add_option("--platform", opt->platform, "os/arch[/variant] recorded in the config (default: this host)");
  cmd->add_option("--compression", opt->compression, "Layer compression: gzip (default), zstd or none");
  cmd->add_flag("-q,--quiet", opt->quiet, "Accepted for compatibility (shale prints only the id)");
  cmd->callback([&ctx, opt] { ctx.run = [&ctx, opt] { return RunImport(ctx, *opt); }; });
}

}  // namespace shale::cli
