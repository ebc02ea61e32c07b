#include <algorithm>

#include "frontend/heredoc.h"
#include "frontend/internal/compiler.h"
#include "frontend/internal/mount.h"
#include "frontend/internal/text.h"
#include "frontend/source.h"

namespace shale::frontend::internal {

Result<std::string> Compiler::Expand(const Instruction& ins, std::string_view word, const Scope& scope,
                                     bool heredoc) const {
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

Result<std::vector<KeyValue>> Compiler::ExpandPairs(const Instruction& ins, const Scope& scope) const {
  std::vector<KeyValue> out;
  for (const KeyValue& kv : ins.pairs) {
    ASSIGN_OR_RETURN(std::string k, Expand(ins, kv.key, scope));
    ASSIGN_OR_RETURN(std::string v, Expand(ins, kv.value, scope));
    out.push_back({std::move(k), std::move(v)});
  }
  return out;
}

// Mounts of a RUN, parsed with expansion.
Result<std::vector<Mount>> Compiler::Mounts(const Instruction& ins, const Scope& scope) const {
  std::vector<Mount> out;
  int ssh = 0;
  internal::WordExpander expand = [&](std::string_view w) { return Expand(ins, w, scope); };
  for (const std::string& spec : ins.mounts) {
    Result<Mount> m = internal::ParseMount(spec, expand, ssh);
    if (!m.ok()) {
      if (m.status().message().find(':') != std::string::npos &&
          m.status().message().find('\n') != std::string::npos) {
        return m.status();  // already located (expansion error)
      }
      return Err(ins.location, "invalid --mount " + internal::GoQuote(spec) + ": " + m.status().message(),
                 spec);
    }
    if (m->type == MountType::kSsh) ++ssh;
    out.push_back(std::move(*m));
  }
  return out;
}

// Applies one instruction to `scope`; with `step` also fills its op.
// `refs` receives referenced stages (orig index or -1), in order.
Status Compiler::Visit(const Instruction& ins, int si, Scope& scope, Stage* st, Step* step,
                       std::vector<int>* refs, bool consume, std::vector<std::string>* shell,
                       const std::vector<int>* known_refs) {
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
      if (std::string nc = NamedContextFor(op.from); !nc.empty()) op.from = nc;
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
        return Err(ins.location,
                   "a heredoc cannot be the destination of " + std::string(StepKindName(ins.kind)),
                   ins.words.back());
      }
      ASSIGN_OR_RETURN(op.dest, Expand(ins, ins.words.back(), scope));
      step->op = std::move(op);
      return Status::Ok();
    }
    case StepKind::kRun: {
      ASSIGN_OR_RETURN(std::vector<Mount> mounts, Mounts(ins, scope));
      for (Mount& m : mounts) {
        if (std::string nc = NamedContextFor(m.from); !nc.empty()) m.from = nc;
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

const Heredoc* Compiler::FindHeredoc(const Instruction& ins, const std::string& word) {
  if (ins.heredocs.empty()) return nullptr;
  Result<std::optional<Heredoc>> parsed = ParseHeredocWord(word);
  if (!parsed.ok() || !parsed->has_value()) return nullptr;
  for (const Heredoc& d : ins.heredocs) {
    if (d.name == (*parsed)->name) return &d;
  }
  return nullptr;
}

}  // namespace shale::frontend::internal
