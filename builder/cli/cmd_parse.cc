// `shale parse FILE`: parse a Containerfile and print its AST in the BuildKit
// parser corpus format, or (--graph) the compiled BuildGraph. Errors are
// located (file:line:col, source line, caret) and exit 1.
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "base/fd.h"
#include "base/platform.h"
#include "builder/cli/command.h"
#include "frontend/limits.h"
#include "frontend/parser.h"
#include "frontend/stage_compiler.h"

extern char** environ;

namespace shale::cli {
namespace {

struct ParseOptions {
  std::string file;
  bool graph = false;
  std::string target;
  std::vector<std::string> build_args;
  std::string platform;
};

int RunParse(const ParseOptions& opts) {
  Result<std::string> text = ReadFileCapped(opts.file, frontend::kMaxFileBytes);
  if (!text.ok()) return ReportError(text.status());
  if (!opts.graph) {
    Result<frontend::Ast> ast = frontend::Parse(*text, opts.file);
    if (!ast.ok()) {
      std::fprintf(stderr, "Error: %s\n", ast.status().message().c_str());
      return kExitFailure;
    }
    for (const auto& w : ast->warnings) {
      std::fprintf(stderr, "%s:%d: warning: %s\n", opts.file.c_str(), w.line, w.message.c_str());
    }
    std::fputs(frontend::DumpAst(*ast).c_str(), stdout);
    return kExitOk;
  }
  frontend::CompileOptions copts;
  copts.file = opts.file;
  copts.target = opts.target;
  for (const std::string& a : opts.build_args) copts.build_args.push_back(frontend::ParseBuildArgFlag(a));
  for (char** e = environ; e && *e; ++e) {
    std::string kv(*e);
    size_t eq = kv.find('=');
    if (eq != std::string::npos) copts.environment[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  Platform host = Platform::Host();
  copts.build_platform = host;
  copts.target_platform = host;
  if (!opts.platform.empty()) {
    Result<Platform> p = Platform::Parse(opts.platform);
    if (!p.ok()) return ReportError(p.status());
    copts.target_platform = *p;
  }
  Result<frontend::BuildGraph> graph = frontend::CompileContainerfile(*text, copts);
  if (!graph.ok()) {
    std::fprintf(stderr, "Error: %s\n", graph.status().message().c_str());
    return kExitFailure;
  }
  std::fputs(frontend::DumpGraph(*graph).c_str(), stdout);
  return kExitOk;
}

}  // namespace

void RegisterParseCommand(CLI::App& app, CommandContext& ctx) {
  auto opts = std::make_shared<ParseOptions>();
  auto* cmd = app.add_subcommand("parse", "Parse a Containerfile and print its syntax tree (or --graph)");
  cmd->add_option("file", opts->file, "Containerfile to parse")->required();
  cmd->add_flag("--graph", opts->graph, "Compile and print the build graph instead of the syntax tree");
  cmd->add_option("--target", opts->target, "With --graph: the stage to build");
  cmd->add_option("--build-arg", opts->build_args, "With --graph: NAME=VALUE or NAME (from the environment)");
  cmd->add_option("--platform", opts->platform, "With --graph: target platform (os/arch[/variant])");
  cmd->callback([&ctx, opts] { ctx.run = [opts] { return RunParse(*opts); }; });
}

}  // namespace shale::cli
