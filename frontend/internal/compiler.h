// The stage compiler's working state, shared by its files (one concept
// each): stage_compiler.cc (the pass structure and stage emission),
// compiler_args.cc (ARG and --build-arg resolution), compiler_refs.cc (stage
// references, target and pruning), compiler_visit.cc (one instruction ->
// its Step op). Private to frontend/.
#ifndef SHALE_FRONTEND_INTERNAL_COMPILER_H_
#define SHALE_FRONTEND_INTERNAL_COMPILER_H_

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "frontend/build_graph.h"
#include "frontend/instructions.h"
#include "frontend/shell_lex.h"
#include "frontend/stage_compiler.h"

namespace shale::frontend::internal {

inline const std::vector<std::string> kDefaultShell = {"/bin/sh", "-c"};

// Variables visible while walking a stage. ENV wins over ARG.
struct Scope {
  std::unordered_map<std::string, std::string> env;
  std::unordered_map<std::string, std::string> args;
  VarLookup Lookup() const {
    return [this](std::string_view name) -> const std::string* {
      std::string key(name);
      if (auto it = env.find(key); it != env.end()) return &it->second;
      if (auto it = args.find(key); it != args.end()) return &it->second;
      return nullptr;
    };
  }
};

// What the discovery pass learns about a stage before any is emitted.
struct StageWork {
  std::string image;     // expanded
  std::string platform;  // expanded
  BaseKind kind = BaseKind::kImage;
  int base = -1;                       // original index of the base stage
  std::vector<std::vector<int>> refs;  // per command: referenced stages (orig index or -1)
  std::set<int> deps;                  // original indices
  std::unordered_map<std::string, std::string> final_env;  // discovery-pass env at the end
};

// Two passes over the parsed file: Discover() every stage (references and
// final env), then Emit() the stages the target needs, in file order.
class Compiler {
 public:
  Compiler(const ParsedFile& pf, char escape, std::string_view text, const CompileOptions& opts)
      : pf_(pf), escape_(escape), text_(text), opts_(opts), work_(pf.stages.size()) {}

  Result<BuildGraph> Run();

 private:
  Status Err(SourceLocation loc, std::string_view message, std::string_view near = {}) const;
  Result<std::string> Expand(const Instruction& ins, std::string_view word, const Scope& scope,
                             bool heredoc = false) const;
  void ResolveBuildArgs();
  Status GlobalArgs();
  bool IsPredefined(const std::string& key) const;
  // ARG values: --build-arg, else the default (expanded before the line), else
  // the global value. All defaults on one line see the variables before it.
  Result<std::vector<ArgOp::Arg>> ResolveArgs(const Instruction& ins, const Scope& scope) const;
  // The --build-context a reference means (see CompileOptions), or "".
  std::string NamedContextFor(const std::string& value) const;
  // The stage `value` names (original index), or -1 (an image / the context).
  Result<int> ResolveRef(const Instruction& ins, const std::string& value, int current,
                         std::string_view flag) const;
  Status ApplyArg(const Instruction& ins, Scope& scope, Stage* st, ArgOp* op, bool consume);
  Result<std::vector<KeyValue>> ExpandPairs(const Instruction& ins, const Scope& scope) const;
  Status Push(const Instruction& ins, std::vector<KeyValue>* log, const std::string& k, const std::string& v);
  // Mounts of a RUN, parsed with expansion.
  Result<std::vector<Mount>> Mounts(const Instruction& ins, const Scope& scope) const;
  Status Discover(int si);
  Result<int> FindTarget() const;
  // Stages the target needs (sorted), refusing cycles.
  Result<std::vector<int>> Reachable(int target) const;
  Result<std::vector<Instruction>> Triggers(const ParsedStage& ps,
                                            const std::vector<std::string>& triggers) const;
  Status Emit(int si);
  // Applies one instruction to `scope`; with `step` also fills its op.
  // `refs` receives referenced stages (orig index or -1), in order.
  Status Visit(const Instruction& ins, int si, Scope& scope, Stage* st, Step* step, std::vector<int>* refs,
               bool consume, std::vector<std::string>* shell = nullptr,
               const std::vector<int>* known_refs = nullptr);
  static const Heredoc* FindHeredoc(const Instruction& ins, const std::string& word);
  void Warnings();

  const ParsedFile& pf_;
  char escape_;
  std::string_view text_;
  const CompileOptions& opts_;
  BuildGraph graph_;
  std::map<std::string, std::string> build_args_;
  std::vector<KeyValue> predefined_;
  std::set<std::string> consumed_;
  Scope meta_;
  std::unordered_map<std::string, int> names_;
  std::vector<StageWork> work_;
  std::vector<int> orig_to_graph_;
  std::unordered_map<int, std::vector<std::string>> final_shell_;
  size_t env_bytes_ = 0;
};

}  // namespace shale::frontend::internal

#endif  // SHALE_FRONTEND_INTERNAL_COMPILER_H_
