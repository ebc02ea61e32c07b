// libFuzzer target for the frontend: parser, AST dump, instruction parsing,
// stage compiler, word expansion and the ignore matcher, on arbitrary bytes.
// Build and run with tests/fuzz/run.sh.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "frontend/build_graph.h"
#include "frontend/ignore.h"
#include "frontend/parser.h"
#include "frontend/shell_lex.h"
#include "frontend/stage_compiler.h"

namespace {

using namespace shale::frontend;  // NOLINT
using shale::Result;
using shale::Status;

void FuzzExpansion(std::string_view input) {
  static const std::unordered_map<std::string, std::string> env = {
      {"A", "a b  c"}, {"EMPTY", ""}, {"PATH", "/usr/bin:/bin"}, {"X", "*?[]\\/"}};
  VarLookup lookup = [](std::string_view name) -> const std::string* {
    auto it = env.find(std::string(name));
    return it == env.end() ? nullptr : &it->second;
  };
  ShellLexOptions options;
  options.max_output = 1 << 16;
  (void)Expand(input, lookup, options);
  options.raw_quotes = options.raw_escapes = options.skip_unset = true;
  (void)Expand(input, lookup, options);
  options = {};
  options.skip_quotes = true;
  options.escape = '`';
  (void)Expand(input, lookup, options);
}

void FuzzIgnore(std::string_view input) {
  auto patterns = ReadIgnorePatterns(input);
  if (!patterns.ok() || patterns->size() > 64) return;
  auto matcher = IgnoreMatcher::Compile(*patterns);
  if (!matcher.ok()) return;
  for (const char* path : {"a", "a/b", "a/b/c.txt", "node_modules/x", ".git/HEAD", "/", "dir/file/"}) {
    (void)matcher->Matches(path);
    (void)matcher->CanSkipDir(path);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  Result<Ast> ast = Parse(input, "fuzz");
  if (ast.ok()) {
    (void)DumpAst(*ast);
    CompileOptions options;
    options.file = "fuzz";
    options.build_args = {{"A", "1"}, {"HTTP_PROXY", "p"}, {"B", std::nullopt}};
    options.environment = {{"B", "from-env"}};
    options.resolve_image = [](const std::string& image, const std::string&) -> Result<BaseImageInfo> {
      BaseImageInfo info;
      info.env = {{"PATH", "/bin"}, {"IMAGE", image}};
      if (image.size() % 3 == 0) info.onbuild = {"RUN echo $IMAGE", "COPY a b"};
      return info;
    };
    Result<BuildGraph> graph = CompileAst(*ast, input, options);
    if (graph.ok()) {
      Status verified = VerifyGraph(*graph);
      if (!verified.ok()) __builtin_trap();  // the compiler must only produce valid graphs
      (void)DumpGraph(*graph);
      for (size_t i = 0; i < graph->steps.size(); ++i) {
        (void)StepRunEnv(*graph, static_cast<int>(i));
        if (const auto* run = std::get_if<RunOp>(&graph->steps[i].op)) (void)PlanRun(*run);
      }
    }
  }
  if (size <= 4096) {
    FuzzExpansion(input);
    FuzzIgnore(input);
  }
  return 0;
}
