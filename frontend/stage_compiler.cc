#include "frontend/stage_compiler.h"

#include <algorithm>

#include "frontend/internal/compiler.h"
#include "frontend/internal/text.h"
#include "frontend/parser.h"

namespace shale::frontend {
namespace internal {

Result<BuildGraph> Compiler::Run() {
  graph_.file = opts_.file;
  ResolveBuildArgs();
  RETURN_IF_ERROR(GlobalArgs());
  for (size_t i = 0; i < pf_.stages.size(); ++i) {
    const std::string& name = pf_.stages[i].from.name;
    if (!name.empty()) names_[name] = static_cast<int>(i);
  }
  for (size_t i = 0; i < pf_.stages.size(); ++i) RETURN_IF_ERROR(Discover(static_cast<int>(i)));
  ASSIGN_OR_RETURN(int target, FindTarget());
  ASSIGN_OR_RETURN(std::vector<int> needed, Reachable(target));
  orig_to_graph_.assign(pf_.stages.size(), -1);
  for (int orig : needed) {
    orig_to_graph_[static_cast<size_t>(orig)] = static_cast<int>(graph_.stages.size());
    graph_.stages.emplace_back();
  }
  graph_.target = orig_to_graph_[static_cast<size_t>(target)];
  for (int orig : needed) RETURN_IF_ERROR(Emit(orig));
  Warnings();
  Status verified = VerifyGraph(graph_);
  if (!verified.ok()) return InternalError(verified.message());
  return std::move(graph_);
}

Status Compiler::Err(SourceLocation loc, std::string_view message, std::string_view near) const {
  int col = near.empty() ? loc.column : FindColumn(text_, loc.line, near, loc.column);
  return LocatedError(StatusCode::kInvalidArgument, opts_.file, text_, {loc.line, col}, message);
}

Status Compiler::Emit(int si) {
  const ParsedStage& ps = pf_.stages[static_cast<size_t>(si)];
  const StageWork& w = work_[static_cast<size_t>(si)];
  const int gi = orig_to_graph_[static_cast<size_t>(si)];
  Stage& st = graph_.stages[static_cast<size_t>(gi)];
  st.name = ps.from.name;
  st.original_index = si;
  st.base_kind = w.kind;
  st.platform = w.platform;
  st.location = ps.from.location;
  st.original = ps.from.original;
  env_bytes_ = 0;
  Scope scope;
  std::vector<std::string> shell = kDefaultShell;
  std::vector<Instruction> triggers;
  if (w.kind == BaseKind::kImage) {
    st.base_image = w.image;
    if (opts_.resolve_image) {
      Result<BaseImageInfo> info = opts_.resolve_image(w.image, w.platform);
      if (!info.ok()) return Err(ps.from.location, "resolving " + w.image + ": " + info.status().ToString());
      for (const KeyValue& kv : info->env) {
        Instruction from_ins;
        from_ins.location = ps.from.location;
        RETURN_IF_ERROR(Push(from_ins, &st.env, kv.key, kv.value));
        scope.env[kv.key] = kv.value;
      }
      if (!info->shell.empty()) shell = info->shell;
      ASSIGN_OR_RETURN(triggers, Triggers(ps, info->onbuild));
    }
  } else if (w.kind == BaseKind::kStage) {
    st.base_stage = orig_to_graph_[static_cast<size_t>(w.base)];
    const Stage& parent = graph_.stages[static_cast<size_t>(st.base_stage)];
    std::unordered_map<std::string, size_t> index;
    for (const KeyValue& kv : parent.env) {
      if (auto it = index.find(kv.key); it != index.end()) {
        st.env[it->second].value = kv.value;
      } else {
        index[kv.key] = st.env.size();
        st.env.push_back(kv);
      }
      scope.env[kv.key] = kv.value;
    }
    shell = final_shell_[st.base_stage];
  }
  st.base_env_count = st.env.size();
  if (st.base_kind == BaseKind::kStage) st.deps.push_back(st.base_stage);

  auto emit_one = [&](const Instruction& ins, const std::vector<int>* known_refs,
                      bool from_onbuild) -> Status {
    Step step;
    step.kind = ins.kind;
    step.stage = gi;
    step.parent = st.steps.empty() ? -1 : st.steps.back();
    step.location = ins.location;
    step.original = ins.original;
    step.from_onbuild = from_onbuild;
    step.env_count = st.env.size();
    step.arg_count = st.args.size();
    std::vector<int> refs;
    RETURN_IF_ERROR(Visit(ins, si, scope, &st, &step, &refs, true, &shell, known_refs));
    for (int r : refs) {
      if (r < 0) continue;
      int g = orig_to_graph_[static_cast<size_t>(r)];
      if (g < 0) {
        return Err(ins.location, "ONBUILD trigger refers to stage " + std::to_string(r) +
                                     ", which the target does not otherwise need");
      }
      step.input_stages.push_back(g);
    }
    std::sort(step.input_stages.begin(), step.input_stages.end());
    step.input_stages.erase(std::unique(step.input_stages.begin(), step.input_stages.end()),
                            step.input_stages.end());
    st.deps.insert(st.deps.end(), step.input_stages.begin(), step.input_stages.end());
    st.steps.push_back(static_cast<int>(graph_.steps.size()));
    graph_.steps.push_back(std::move(step));
    return Status::Ok();
  };
  for (const Instruction& ins : triggers) RETURN_IF_ERROR(emit_one(ins, nullptr, true));
  for (size_t c = 0; c < ps.commands.size(); ++c) {
    RETURN_IF_ERROR(emit_one(ps.commands[c], &w.refs[c], false));
  }
  std::sort(st.deps.begin(), st.deps.end());
  st.deps.erase(std::unique(st.deps.begin(), st.deps.end()), st.deps.end());
  final_shell_[gi] = shell;
  return Status::Ok();
}

Result<std::vector<Instruction>> Compiler::Triggers(const ParsedStage& ps,
                                                    const std::vector<std::string>& triggers) const {
  std::vector<Instruction> out;
  for (const std::string& trigger : triggers) {
    auto fail = [&](const Status& st) {
      return Err(ps.from.location, "ONBUILD trigger " + internal::GoQuote(trigger) + " of base image " +
                                       internal::GoQuote(ps.from.image) + ": " + st.message());
    };
    Result<Ast> ast = Parse(trigger, "ONBUILD");
    if (!ast.ok()) return fail(ast.status());
    for (const Node& node : ast->children) {
      std::string kw = internal::ToUpperAscii(node.keyword);
      if (kw == "FROM" || kw == "ONBUILD" || kw == "MAINTAINER") {
        return fail(InvalidArgumentError(kw + " isn't allowed as an ONBUILD trigger"));
      }
      Result<Instruction> ins = ParseInstruction(node, trigger, "ONBUILD");
      if (!ins.ok()) return fail(ins.status());
      ins->location = ps.from.location;
      out.push_back(std::move(*ins));
    }
  }
  return out;
}

}  // namespace internal

BuildArg ParseBuildArgFlag(std::string_view flag) {
  size_t eq = flag.find('=');
  if (eq == std::string_view::npos) return {std::string(flag), std::nullopt};
  return {std::string(flag.substr(0, eq)), std::string(flag.substr(eq + 1))};
}

Result<BuildGraph> CompileAst(const Ast& ast, std::string_view text, const CompileOptions& options) {
  ASSIGN_OR_RETURN(ParsedFile pf, ParseInstructions(ast, text, options.file));
  return internal::Compiler(pf, ast.escape, text, options).Run();
}

Result<BuildGraph> CompileContainerfile(std::string_view text, const CompileOptions& options) {
  ASSIGN_OR_RETURN(Ast ast, Parse(text, options.file));
  return CompileAst(ast, text, options);
}

}  // namespace shale::frontend
