#include "frontend/stage_compiler.h"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "frontend/heredoc.h"
#include "frontend/instructions.h"
#include "frontend/internal/mount.h"
#include "frontend/internal/text.h"
#include "frontend/limits.h"
#include "frontend/parser.h"
#include "frontend/shell_lex.h"

namespace shale::frontend {
namespace {

const std::vector<std::string> kDefaultShell = {"/bin/sh", "-c"};

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

struct StageWork {
  std::string image;     // expanded
  std::string platform;  // expanded
  BaseKind kind = BaseKind::kImage;
  int base = -1;                             // original index of the base stage
  std::vector<std::vector<int>> refs;        // per command: referenced stages (orig index or -1)
  std::set<int> deps;                        // original indices
  std::unordered_map<std::string, std::string> final_env;  // discovery-pass env at the end
};

class Compiler {
 public:
  Compiler(const ParsedFile& pf, char escape, std::string_view text, const CompileOptions& opts)
      : pf_(pf), escape_(escape), text_(text), opts_(opts), work_(pf.stages.size()) {}

  Result<BuildGraph> Run() {
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

 private:
  Status Err(SourceLocation loc, std::string_view message, std::string_view near = {}) const {
    int col = near.empty() ? loc.column : FindColumn(text_, loc.line, near, loc.column);
    return LocatedError(StatusCode::kInvalidArgument, opts_.file, text_, {loc.line, col}, message);
  }

  Result<std::string> Expand(const Instruction& ins, std::string_view word, const Scope& scope,
                             bool heredoc = false) const {
    ShellLexOptions o;
    o.escape = escape_;
    if (heredoc) {
      o.skip_quotes = true;
      o.raw_escapes = true;
    }
    Result<std::string> r = ExpandWord(word, scope.Lookup(), o);
    if (!r.ok()) {
      int col = FindColumn(text_, ins.location.line, word, ins.location.column);
      return LocatedError(r.status().code(), opts_.file, text_, {ins.location.line, col}, r.status().message());
    }
    return r;
  }

  void ResolveBuildArgs() {
    for (const BuildArg& a : opts_.build_args) {
      std::optional<std::string> v = a.value;
      if (!v) {
        auto it = opts_.environment.find(a.name);
        if (it == opts_.environment.end()) continue;
        v = it->second;
      }
      build_args_[a.name] = *v;
    }
    for (const auto& [k, v] : build_args_) {
      if (IsProxyArg(k)) graph_.proxy_args.push_back({k, v});
    }
  }

  Status GlobalArgs() {
    const Platform& t = opts_.target_platform;
    const Platform& b = opts_.build_platform;
    predefined_ = {{"TARGETPLATFORM", t.ToString()}, {"TARGETOS", t.os}, {"TARGETARCH", t.architecture},
                   {"TARGETVARIANT", t.variant},     {"BUILDPLATFORM", b.ToString()}, {"BUILDOS", b.os},
                   {"BUILDARCH", b.architecture},    {"BUILDVARIANT", b.variant}};
    for (const KeyValue& kv : predefined_) meta_.args[kv.key] = kv.value;
    for (const Instruction& ins : pf_.global_args) {
      ASSIGN_OR_RETURN(auto values, ResolveArgs(ins, meta_));
      for (const ArgOp::Arg& a : values) {
        consumed_.insert(a.key);
        if (a.value) meta_.args[a.key] = *a.value;
        else if (!IsPredefined(a.key)) meta_.args.erase(a.key);
      }
    }
    for (const Instruction& ins : pf_.global_args) {
      for (const ArgDecl& d : ins.arg_decls) {
        auto it = meta_.args.find(d.key);
        if (it != meta_.args.end()) graph_.global_args.push_back({d.key, it->second});
      }
    }
    return Status::Ok();
  }

  bool IsPredefined(const std::string& key) const {
    for (const KeyValue& kv : predefined_) {
      if (kv.key == key) return true;
    }
    return false;
  }

  // ARG values: --build-arg, else the default (expanded before the line), else
  // the global value. All defaults on one line see the variables before it.
  Result<std::vector<ArgOp::Arg>> ResolveArgs(const Instruction& ins, const Scope& scope) const {
    std::vector<ArgOp::Arg> out;
    for (const ArgDecl& d : ins.arg_decls) {
      ArgOp::Arg a{d.key, std::nullopt};
      if (auto it = build_args_.find(d.key); it != build_args_.end()) {
        a.value = it->second;
      } else if (d.value) {
        ASSIGN_OR_RETURN(std::string v, Expand(ins, *d.value, scope));
        a.value = std::move(v);
      } else if (auto g = meta_.args.find(d.key); &scope != &meta_ && g != meta_.args.end()) {
        a.value = g->second;
      } else if (&scope == &meta_ && IsPredefined(d.key)) {
        a.value = meta_.args.at(d.key);
      }
      out.push_back(std::move(a));
    }
    return out;
  }

  // Stage name, stage index, or -1 (an image / the context).
  Result<int> ResolveRef(const Instruction& ins, const std::string& value, int current, std::string_view flag) const {
    if (value.empty()) return -1;
    if (auto it = names_.find(internal::ToLower(value)); it != names_.end()) {
      if (it->second == current) {
        return Err(ins.location, "circular dependency detected on stage: " + value + " (" + std::string(flag) +
                                     " refers to the current stage)", flag);
      }
      return it->second;
    }
    if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      if (value.size() > 6 || std::stoi(value) >= static_cast<int>(pf_.stages.size())) {
        return Err(ins.location, "invalid stage index " + value + " in " + std::string(flag), flag);
      }
      int idx = std::stoi(value);
      if (idx == current) {
        return Err(ins.location, "circular dependency detected on stage: " + value + " (" + std::string(flag) +
                                     " refers to the current stage)", flag);
      }
      return idx;
    }
    return -1;
  }

  Status ApplyArg(const Instruction& ins, Scope& scope, Stage* st, ArgOp* op, bool consume) {
    ASSIGN_OR_RETURN(std::vector<ArgOp::Arg> values, ResolveArgs(ins, scope));
    for (ArgOp::Arg& a : values) {
      if (consume) consumed_.insert(a.key);
      if (!a.value) {
        if (auto it = scope.args.find(a.key); it != scope.args.end()) a.value = it->second;
      }
      if (a.value) {
        scope.args[a.key] = *a.value;
        if (st) RETURN_IF_ERROR(Push(ins, &st->args, a.key, *a.value));
      }
      if (op) op->args.push_back(std::move(a));
    }
    return Status::Ok();
  }

  Result<std::vector<KeyValue>> ExpandPairs(const Instruction& ins, const Scope& scope) const {
    std::vector<KeyValue> out;
    for (const KeyValue& kv : ins.pairs) {
      ASSIGN_OR_RETURN(std::string k, Expand(ins, kv.key, scope));
      ASSIGN_OR_RETURN(std::string v, Expand(ins, kv.value, scope));
      out.push_back({std::move(k), std::move(v)});
    }
    return out;
  }

  Status Push(const Instruction& ins, std::vector<KeyValue>* log, const std::string& k, const std::string& v) {
    env_bytes_ += k.size() + v.size();
    if (env_bytes_ > kMaxStageEnvBytes) {
      return LocatedError(StatusCode::kResourceExhausted, opts_.file, text_, ins.location,
                          "ENV/ARG values of this stage exceed the cap of " + std::to_string(kMaxStageEnvBytes) +
                              " bytes");
    }
    log->push_back({k, v});
    return Status::Ok();
  }

  // Mounts of a RUN, parsed with expansion.
  Result<std::vector<Mount>> Mounts(const Instruction& ins, const Scope& scope) const {
    std::vector<Mount> out;
    int ssh = 0;
    internal::WordExpander expand = [&](std::string_view w) { return Expand(ins, w, scope); };
    for (const std::string& spec : ins.mounts) {
      Result<Mount> m = internal::ParseMount(spec, expand, ssh);
      if (!m.ok()) {
        if (m.status().message().find(':') != std::string::npos && m.status().message().find('\n') != std::string::npos) {
          return m.status();  // already located (expansion error)
        }
        return Err(ins.location, "invalid --mount " + internal::GoQuote(spec) + ": " + m.status().message(), spec);
      }
      if (m->type == MountType::kSsh) ++ssh;
      out.push_back(std::move(*m));
    }
    return out;
  }

  Status Discover(int si) {
    const ParsedStage& ps = pf_.stages[static_cast<size_t>(si)];
    StageWork& w = work_[static_cast<size_t>(si)];
    Instruction from_ins;
    from_ins.location = ps.from.location;
    ASSIGN_OR_RETURN(w.image, Expand(from_ins, ps.from.image, meta_));
    ASSIGN_OR_RETURN(w.platform, Expand(from_ins, ps.from.platform, meta_));
    if (w.image.empty()) {
      return Err(ps.from.location, "base name (" + ps.from.image + ") should not be blank", ps.from.image);
    }
    Scope scope;
    if (internal::EqualsIgnoreCaseAscii(w.image, "scratch")) {
      w.kind = BaseKind::kScratch;
    } else if (auto it = names_.find(internal::ToLower(w.image)); it != names_.end() && it->second < si) {
      w.kind = BaseKind::kStage;
      w.base = it->second;
      w.deps.insert(w.base);
      scope.env = work_[static_cast<size_t>(w.base)].final_env;
    } else {
      w.kind = BaseKind::kImage;
    }
    for (const Instruction& ins : ps.commands) {
      std::vector<int> refs;
      RETURN_IF_ERROR(Visit(ins, si, scope, nullptr, nullptr, &refs, false));
      for (int r : refs) {
        if (r >= 0) w.deps.insert(r);
      }
      w.refs.push_back(std::move(refs));
    }
    w.final_env = scope.env;
    return Status::Ok();
  }

  Result<int> FindTarget() const {
    if (opts_.target.empty()) return static_cast<int>(pf_.stages.size()) - 1;
    auto it = names_.find(internal::ToLower(opts_.target));
    if (it == names_.end()) {
      return InvalidArgumentError(opts_.file + ": target stage " + internal::GoQuote(opts_.target) +
                                  " could not be found");
    }
    return it->second;
  }

  // Stages the target needs (sorted), refusing cycles.
  Result<std::vector<int>> Reachable(int target) const {
    std::vector<int> color(pf_.stages.size(), 0);
    std::vector<std::pair<int, std::vector<int>>> stack;
    auto push = [&](int s) {
      color[static_cast<size_t>(s)] = 1;
      const auto& d = work_[static_cast<size_t>(s)].deps;
      stack.emplace_back(s, std::vector<int>(d.rbegin(), d.rend()));
    };
    push(target);
    while (!stack.empty()) {
      auto& [node, pending] = stack.back();
      if (pending.empty()) {
        color[static_cast<size_t>(node)] = 2;
        stack.pop_back();
        continue;
      }
      int d = pending.back();
      pending.pop_back();
      if (color[static_cast<size_t>(d)] == 1) {
        const FromInstruction& f = pf_.stages[static_cast<size_t>(d)].from;
        return Err(f.location, "circular dependency detected on stage: " + (f.name.empty() ? std::to_string(d) : f.name));
      }
      if (color[static_cast<size_t>(d)] == 0) push(d);
    }
    std::vector<int> out;
    for (size_t i = 0; i < color.size(); ++i) {
      if (color[i] == 2) out.push_back(static_cast<int>(i));
    }
    return out;
  }

  Result<std::vector<Instruction>> Triggers(const ParsedStage& ps, const std::vector<std::string>& triggers) const {
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

  Status Emit(int si) {
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

    auto emit_one = [&](const Instruction& ins, const std::vector<int>* known_refs, bool from_onbuild) -> Status {
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

  // Applies one instruction to `scope`; with `step` also fills its op.
  // `refs` receives referenced stages (orig index or -1), in order.
  Status Visit(const Instruction& ins, int si, Scope& scope, Stage* st, Step* step, std::vector<int>* refs,
               bool consume, std::vector<std::string>* shell = nullptr,
               const std::vector<int>* known_refs = nullptr) {
    size_t next_ref = 0;
    auto resolve = [&](const std::string& value, std::string_view flag) -> Result<int> {
      if (known_refs && next_ref < known_refs->size()) return (*known_refs)[next_ref++];
      return ResolveRef(ins, value, si, flag);
    };
    switch (ins.kind) {
      case StepKind::kArg: {
        ArgOp op;
        RETURN_IF_ERROR(ApplyArg(ins, scope, st, step ? &op : nullptr, consume));
        if (step) step->op = std::move(op);
        return Status::Ok();
      }
      case StepKind::kEnv: {
        ASSIGN_OR_RETURN(std::vector<KeyValue> vars, ExpandPairs(ins, scope));
        for (const KeyValue& kv : vars) {
          scope.env[kv.key] = kv.value;
          if (st) RETURN_IF_ERROR(Push(ins, &st->env, kv.key, kv.value));
        }
        if (step) step->op = EnvOp{std::move(vars)};
        return Status::Ok();
      }
      case StepKind::kCopy:
      case StepKind::kAdd: {
        CopyOp op = std::get<CopyOp>(ins.op);
        ASSIGN_OR_RETURN(op.from, Expand(ins, op.from, scope));
        ASSIGN_OR_RETURN(int from_stage, resolve(op.from, "--from"));
        refs->push_back(from_stage);
        if (!step) return Status::Ok();
        op.from_stage = from_stage < 0 ? -1 : orig_to_graph_[static_cast<size_t>(from_stage)];
        ASSIGN_OR_RETURN(op.chown, Expand(ins, op.chown, scope));
        ASSIGN_OR_RETURN(op.chmod, Expand(ins, op.chmod, scope));
        ASSIGN_OR_RETURN(op.checksum, Expand(ins, op.checksum, scope));
        for (std::string& e : op.excludes) {
          ASSIGN_OR_RETURN(e, Expand(ins, e, scope));
        }
        for (size_t i = 0; i + 1 < ins.words.size(); ++i) {
          const std::string& word = ins.words[i];
          const Heredoc* doc = FindHeredoc(ins, word);
          if (!doc) {
            ASSIGN_OR_RETURN(std::string src, Expand(ins, word, scope));
            op.sources.push_back(std::move(src));
            continue;
          }
          InlineFile f{doc->name, doc->chomp ? ChompHeredocContent(doc->content) : doc->content,
                       doc->file_descriptor, doc->expand, doc->chomp};
          if (f.expand) {
            ASSIGN_OR_RETURN(f.content, Expand(ins, f.content, scope, true));
          }
          op.inline_sources.push_back(std::move(f));
        }
        if (FindHeredoc(ins, ins.words.back())) {
          return Err(ins.location, "a heredoc cannot be the destination of " + std::string(StepKindName(ins.kind)),
                     ins.words.back());
        }
        ASSIGN_OR_RETURN(op.dest, Expand(ins, ins.words.back(), scope));
        step->op = std::move(op);
        return Status::Ok();
      }
      case StepKind::kRun: {
        ASSIGN_OR_RETURN(std::vector<Mount> mounts, Mounts(ins, scope));
        for (Mount& m : mounts) {
          ASSIGN_OR_RETURN(int from_stage, resolve(m.from, "from="));
          refs->push_back(from_stage);
          if (step) m.from_stage = from_stage < 0 ? -1 : orig_to_graph_[static_cast<size_t>(from_stage)];
        }
        if (!step) return Status::Ok();
        RunOp op = std::get<RunOp>(ins.op);
        op.mounts = std::move(mounts);
        op.shell = *shell;
        for (const Heredoc& d : ins.heredocs) {
          op.heredocs.push_back({d.name, d.content, d.file_descriptor, d.expand, d.chomp});
        }
        step->op = std::move(op);
        return Status::Ok();
      }
      default:
        break;
    }
    if (!step) return Status::Ok();
    switch (ins.kind) {
      case StepKind::kLabel: {
        ASSIGN_OR_RETURN(std::vector<KeyValue> labels, ExpandPairs(ins, scope));
        step->op = LabelOp{std::move(labels)};
        return Status::Ok();
      }
      case StepKind::kExpose: {
        ExposeOp op;
        for (const std::string& w : ins.words) {
          ShellLexOptions o;
          o.escape = escape_;
          Result<std::vector<std::string>> ports = ExpandWords(w, scope.Lookup(), o);
          if (!ports.ok()) return Err(ins.location, ports.status().message(), w);
          op.ports.insert(op.ports.end(), ports->begin(), ports->end());
        }
        step->op = std::move(op);
        return Status::Ok();
      }
      case StepKind::kUser: {
        ASSIGN_OR_RETURN(std::string v, Expand(ins, ins.words[0], scope));
        step->op = UserOp{std::move(v)};
        return Status::Ok();
      }
      case StepKind::kWorkdir: {
        ASSIGN_OR_RETURN(std::string v, Expand(ins, ins.words[0], scope));
        if (v.empty()) return Err(ins.location, "WORKDIR path is empty after expansion", ins.words[0]);
        step->op = WorkdirOp{std::move(v)};
        return Status::Ok();
      }
      case StepKind::kStopSignal: {
        ASSIGN_OR_RETURN(std::string v, Expand(ins, ins.words[0], scope));
        step->op = StopSignalOp{std::move(v)};
        return Status::Ok();
      }
      case StepKind::kVolume: {
        VolumeOp op;
        for (const std::string& w : ins.words) {
          ASSIGN_OR_RETURN(std::string v, Expand(ins, w, scope));
          if (v.empty()) return Err(ins.location, "VOLUME specified can not be an empty string");
          op.paths.push_back(std::move(v));
        }
        step->op = std::move(op);
        return Status::Ok();
      }
      case StepKind::kCmd:
      case StepKind::kEntrypoint: {
        CommandOp op;
        if (ins.shell_form && !ins.words.empty()) {
          op.argv = *shell;
          op.argv.push_back(ins.words[0]);
          op.shell_form = true;
        } else {
          op.argv = ins.words;
        }
        step->op = std::move(op);
        return Status::Ok();
      }
      case StepKind::kShell:
        *shell = std::get<ShellOp>(ins.op).shell;
        step->op = ins.op;
        return Status::Ok();
      default:
        step->op = ins.op;
        return Status::Ok();
    }
  }

  static const Heredoc* FindHeredoc(const Instruction& ins, const std::string& word) {
    if (ins.heredocs.empty()) return nullptr;
    Result<std::optional<Heredoc>> parsed = ParseHeredocWord(word);
    if (!parsed.ok() || !parsed->has_value()) return nullptr;
    for (const Heredoc& d : ins.heredocs) {
      if (d.name == (*parsed)->name) return &d;
    }
    return nullptr;
  }

  void Warnings() {
    std::string unused;
    for (const auto& [k, v] : build_args_) {
      if (consumed_.count(k) || IsPredefined(k) || IsProxyArg(k)) continue;
      unused += (unused.empty() ? "" : " ") + k;
    }
    if (!unused.empty()) graph_.warnings.push_back("one or more build-args [" + unused + "] were not consumed");
  }

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

}  // namespace

BuildArg ParseBuildArgFlag(std::string_view flag) {
  size_t eq = flag.find('=');
  if (eq == std::string_view::npos) return {std::string(flag), std::nullopt};
  return {std::string(flag.substr(0, eq)), std::string(flag.substr(eq + 1))};
}

Result<BuildGraph> CompileAst(const Ast& ast, std::string_view text, const CompileOptions& options) {
  ASSIGN_OR_RETURN(ParsedFile pf, ParseInstructions(ast, text, options.file));
  return Compiler(pf, ast.escape, text, options).Run();
}

Result<BuildGraph> CompileContainerfile(std::string_view text, const CompileOptions& options) {
  ASSIGN_OR_RETURN(Ast ast, Parse(text, options.file));
  return CompileAst(ast, text, options);
}

}  // namespace shale::frontend
