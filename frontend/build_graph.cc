#include "frontend/build_graph.h"

#include <algorithm>
#include <unordered_map>

#include "frontend/heredoc.h"
#include "frontend/internal/text.h"

namespace shale::frontend {
namespace {

// Last value per key, keeping the position of the first assignment.
std::vector<KeyValue> Collapse(const std::vector<KeyValue>& log, size_t count) {
  std::vector<KeyValue> out;
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < count && i < log.size(); ++i) {
    auto [it, inserted] = index.emplace(log[i].key, out.size());
    if (inserted) out.push_back(log[i]);
    else out[it->second].value = log[i].value;
  }
  return out;
}

Status Violation(const std::string& what) { return FailedPreconditionError("invalid build graph: " + what); }

}  // namespace

std::string_view StepKindName(StepKind kind) {
  switch (kind) {
    case StepKind::kRun: return "RUN";
    case StepKind::kCopy: return "COPY";
    case StepKind::kAdd: return "ADD";
    case StepKind::kEnv: return "ENV";
    case StepKind::kArg: return "ARG";
    case StepKind::kLabel: return "LABEL";
    case StepKind::kExpose: return "EXPOSE";
    case StepKind::kUser: return "USER";
    case StepKind::kWorkdir: return "WORKDIR";
    case StepKind::kVolume: return "VOLUME";
    case StepKind::kStopSignal: return "STOPSIGNAL";
    case StepKind::kCmd: return "CMD";
    case StepKind::kEntrypoint: return "ENTRYPOINT";
    case StepKind::kShell: return "SHELL";
    case StepKind::kHealthcheck: return "HEALTHCHECK";
    case StepKind::kOnbuild: return "ONBUILD";
    case StepKind::kMaintainer: return "MAINTAINER";
  }
  return "?";
}

bool IsProxyArg(std::string_view name) {
  static const char* const kNames[] = {"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY",
                                       "ftp_proxy",  "NO_PROXY",   "no_proxy",    "ALL_PROXY",   "all_proxy"};
  for (const char* n : kNames) {
    if (name == n) return true;
  }
  return false;
}

std::vector<KeyValue> StepEnv(const BuildGraph& graph, int step) {
  const Step& s = graph.steps.at(static_cast<size_t>(step));
  return Collapse(graph.stages.at(static_cast<size_t>(s.stage)).env, s.env_count);
}

std::vector<KeyValue> StepHistoryArgs(const BuildGraph& graph, int step) {
  const Step& s = graph.steps.at(static_cast<size_t>(step));
  std::vector<KeyValue> args = Collapse(graph.stages.at(static_cast<size_t>(s.stage)).args, s.arg_count);
  std::unordered_map<std::string, bool> env;
  for (const KeyValue& kv : StepEnv(graph, step)) env[kv.key] = true;
  std::erase_if(args, [&env](const KeyValue& kv) { return IsProxyArg(kv.key) || env.count(kv.key) > 0; });
  return args;
}

std::vector<KeyValue> StepRunEnv(const BuildGraph& graph, int step) {
  const Step& s = graph.steps.at(static_cast<size_t>(step));
  std::vector<KeyValue> env = StepEnv(graph, step);
  std::unordered_map<std::string, bool> seen;
  for (const KeyValue& kv : env) seen[kv.key] = true;
  for (const KeyValue& kv : Collapse(graph.stages.at(static_cast<size_t>(s.stage)).args, s.arg_count)) {
    if (seen.emplace(kv.key, true).second) env.push_back(kv);
  }
  for (const KeyValue& kv : graph.proxy_args) {
    if (seen.emplace(kv.key, true).second) env.push_back(kv);
  }
  return env;
}

RunPlan PlanRun(const RunOp& run) {
  RunPlan plan;
  if (run.exec_form) {
    plan.argv = run.exec;
    return plan;
  }
  plan.argv = run.shell;
  if (run.heredocs.empty()) {
    // A bare RUN: the shell gets no command and fails as it does (buildah).
    if (!run.command.empty()) plan.argv.push_back(run.command);
    return plan;
  }
  std::string_view trimmed = internal::TrimSpace(run.command);
  Result<std::optional<Heredoc>> only = ParseHeredocWord(trimmed);
  if (run.heredocs.size() == 1 && only.ok() && only->has_value() && (*only)->name == run.heredocs[0].name) {
    const InlineFile& f = run.heredocs[0];
    std::string body = f.chomp ? ChompHeredocContent(f.content) : f.content;
    if (body.rfind("#!", 0) == 0) {
      plan.argv = {"/dev/pipes/" + f.name};
      InlineFile file = f;
      file.content = std::move(body);
      plan.pipe_files.push_back(std::move(file));
      return plan;
    }
    plan.argv.push_back(std::move(body));
    return plan;
  }
  std::string script = run.command;
  for (const InlineFile& f : run.heredocs) {
    script += "\n";
    script += f.content;
    if (!f.content.empty() && f.content.back() != '\n') script += "\n";
    script += f.name;
  }
  script += "\n";
  plan.argv.push_back(std::move(script));
  return plan;
}

namespace {

std::string JoinQuoted(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? " " : "") + internal::GoQuote(v[i]);
  return out + "]";
}

std::string DescribeOp(const StepOp& op) {
  struct Visitor {
    std::string operator()(const RunOp& r) const {
      std::string out = r.exec_form ? JoinQuoted(r.exec) : internal::GoQuote(r.command);
      for (const Mount& m : r.mounts) {
        static const char* kTypes[] = {"bind", "cache", "tmpfs", "secret", "ssh"};
        out += std::string(" mount=") + kTypes[static_cast<int>(m.type)] + ":" + m.target;
        if (!m.from.empty()) out += "<-" + m.from;
      }
      if (r.network != "default") out += " network=" + r.network;
      if (r.security != "sandbox") out += " security=" + r.security;
      for (const InlineFile& f : r.heredocs) out += " heredoc=" + f.name;
      return out;
    }
    std::string operator()(const CopyOp& c) const {
      std::string out = JoinQuoted(c.sources);
      for (const InlineFile& f : c.inline_sources) out += " <<" + f.name + "=" + internal::GoQuote(f.content);
      out += " -> " + internal::GoQuote(c.dest);
      if (!c.from.empty()) out += " from=" + c.from;
      if (!c.chown.empty()) out += " chown=" + c.chown;
      if (!c.chmod.empty()) out += " chmod=" + c.chmod;
      if (c.link) out += " link";
      if (c.parents) out += " parents";
      for (const auto& e : c.excludes) out += " exclude=" + e;
      if (!c.checksum.empty()) out += " checksum=" + c.checksum;
      if (c.keep_git_dir) out += " keep-git-dir";
      return out;
    }
    std::string operator()(const EnvOp& e) const { return Pairs(e.vars); }
    std::string operator()(const LabelOp& l) const { return Pairs(l.labels); }
    std::string operator()(const ArgOp& a) const {
      std::string out;
      for (const auto& arg : a.args) {
        out += (out.empty() ? "" : " ") + arg.key;
        if (arg.value) out += "=" + internal::GoQuote(*arg.value);
      }
      return out;
    }
    std::string operator()(const ExposeOp& e) const { return JoinQuoted(e.ports); }
    std::string operator()(const UserOp& u) const { return internal::GoQuote(u.user); }
    std::string operator()(const WorkdirOp& w) const { return internal::GoQuote(w.path); }
    std::string operator()(const VolumeOp& v) const { return JoinQuoted(v.paths); }
    std::string operator()(const StopSignalOp& s) const { return internal::GoQuote(s.signal); }
    std::string operator()(const CommandOp& c) const { return JoinQuoted(c.argv); }
    std::string operator()(const ShellOp& s) const { return JoinQuoted(s.shell); }
    std::string operator()(const HealthcheckOp& h) const {
      std::string out = JoinQuoted(h.test);
      if (h.interval_ns) out += " interval=" + std::to_string(h.interval_ns) + "ns";
      if (h.timeout_ns) out += " timeout=" + std::to_string(h.timeout_ns) + "ns";
      if (h.start_period_ns) out += " start-period=" + std::to_string(h.start_period_ns) + "ns";
      if (h.start_interval_ns) out += " start-interval=" + std::to_string(h.start_interval_ns) + "ns";
      if (h.retries) out += " retries=" + std::to_string(h.retries);
      return out;
    }
    std::string operator()(const OnbuildOp& o) const { return internal::GoQuote(o.trigger); }
    std::string operator()(const MaintainerOp& m) const { return internal::GoQuote(m.name); }
    static std::string Pairs(const std::vector<KeyValue>& kvs) {
      std::string out;
      for (const auto& kv : kvs) out += (out.empty() ? "" : " ") + kv.key + "=" + internal::GoQuote(kv.value);
      return out;
    }
  };
  return std::visit(Visitor{}, op);
}

}  // namespace

std::string StepDisplay(const Step& step) {
  std::string text = step.original;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r')) text.pop_back();
  const std::vector<InlineFile>* docs = nullptr;
  if (const auto* run = std::get_if<RunOp>(&step.op)) docs = &run->heredocs;
  if (const auto* copy = std::get_if<CopyOp>(&step.op)) docs = &copy->inline_sources;
  if (docs == nullptr) return text;
  for (const InlineFile& f : *docs) {
    std::string_view body = f.content;
    while (!body.empty() && body.back() == '\n') body.remove_suffix(1);
    size_t nl = body.find('\n');
    text += " (";
    text += internal::TrimSpace(body.substr(0, nl));
    if (nl != std::string_view::npos) text += "...";
    text += ")";
  }
  return text;
}

std::string DumpGraph(const BuildGraph& g) {
  std::string out;
  for (size_t i = 0; i < g.stages.size(); ++i) {
    const Stage& st = g.stages[i];
    out += "stage " + std::to_string(i);
    if (!st.name.empty()) out += " " + internal::GoQuote(st.name);
    out += " (#" + std::to_string(st.original_index) + ", line " + std::to_string(st.location.line) + ")";
    switch (st.base_kind) {
      case BaseKind::kImage: out += " from image " + st.base_image; break;
      case BaseKind::kStage: out += " from stage " + std::to_string(st.base_stage); break;
      case BaseKind::kScratch: out += " from scratch"; break;
    }
    if (!st.platform.empty()) out += " platform=" + st.platform;
    if (static_cast<int>(i) == g.target) out += " [target]";
    if (!st.deps.empty()) {
      out += " deps=";
      for (size_t d = 0; d < st.deps.size(); ++d) out += (d ? "," : "") + std::to_string(st.deps[d]);
    }
    out += "\n";
    for (int s : st.steps) {
      const Step& step = g.steps[static_cast<size_t>(s)];
      out += "  step " + std::to_string(s) + " line " + std::to_string(step.location.line) + ": " +
             std::string(StepKindName(step.kind)) + " " + DescribeOp(step.op);
      if (step.from_onbuild) out += " (onbuild)";
      out += "\n";
    }
  }
  for (const std::string& w : g.warnings) out += "warning: " + w + "\n";
  return out;
}

Status VerifyGraph(const BuildGraph& g) {
  const int nstages = static_cast<int>(g.stages.size());
  const int nsteps = static_cast<int>(g.steps.size());
  if (nstages == 0) return Violation("no stages");
  if (g.target < 0 || g.target >= nstages) return Violation("target out of range");
  std::vector<int> owner(static_cast<size_t>(nsteps), -1);
  for (int i = 0; i < nstages; ++i) {
    const Stage& st = g.stages[static_cast<size_t>(i)];
    if (st.base_kind == BaseKind::kStage) {
      if (st.base_stage < 0 || st.base_stage >= i) return Violation("stage " + std::to_string(i) + " base is not an earlier stage");
    } else if (st.base_stage != -1) {
      return Violation("stage " + std::to_string(i) + " has a base stage but is not stage-based");
    }
    if (st.base_kind == BaseKind::kImage && st.base_image.empty()) return Violation("stage " + std::to_string(i) + " has an empty image");
    if (st.base_env_count > st.env.size()) return Violation("stage " + std::to_string(i) + " base env count");
    int prev = -1;
    size_t env = st.base_env_count, args = 0;
    std::vector<int> expect_deps;
    if (st.base_kind == BaseKind::kStage) expect_deps.push_back(st.base_stage);
    for (int s : st.steps) {
      if (s < 0 || s >= nsteps) return Violation("stage " + std::to_string(i) + " lists a missing step");
      if (owner[static_cast<size_t>(s)] != -1) return Violation("step " + std::to_string(s) + " listed twice");
      owner[static_cast<size_t>(s)] = i;
      const Step& step = g.steps[static_cast<size_t>(s)];
      if (step.stage != i) return Violation("step " + std::to_string(s) + " has the wrong stage");
      if (step.parent != prev) return Violation("step " + std::to_string(s) + " parent is not the previous step");
      if (step.env_count < env || step.env_count > st.env.size()) return Violation("step " + std::to_string(s) + " env count");
      if (step.arg_count < args || step.arg_count > st.args.size()) return Violation("step " + std::to_string(s) + " arg count");
      env = step.env_count;
      args = step.arg_count;
      if (!std::is_sorted(step.input_stages.begin(), step.input_stages.end()) ||
          std::adjacent_find(step.input_stages.begin(), step.input_stages.end()) != step.input_stages.end()) {
        return Violation("step " + std::to_string(s) + " inputs not sorted and unique");
      }
      std::vector<int> referenced;
      if (const auto* copy = std::get_if<CopyOp>(&step.op)) {
        if (copy->from_stage >= 0) referenced.push_back(copy->from_stage);
      }
      if (const auto* run = std::get_if<RunOp>(&step.op)) {
        for (const Mount& m : run->mounts) {
          if (m.from_stage >= 0) referenced.push_back(m.from_stage);
        }
      }
      std::sort(referenced.begin(), referenced.end());
      referenced.erase(std::unique(referenced.begin(), referenced.end()), referenced.end());
      if (referenced != step.input_stages) return Violation("step " + std::to_string(s) + " inputs do not match its --from references");
      for (int in : step.input_stages) {
        if (in < 0 || in >= nstages) return Violation("step " + std::to_string(s) + " input out of range");
        if (in == i) return Violation("step " + std::to_string(s) + " reads its own stage");
        expect_deps.push_back(in);
      }
      prev = s;
    }
    std::sort(expect_deps.begin(), expect_deps.end());
    expect_deps.erase(std::unique(expect_deps.begin(), expect_deps.end()), expect_deps.end());
    if (expect_deps != st.deps) return Violation("stage " + std::to_string(i) + " deps do not cover its base and inputs");
  }
  for (int s = 0; s < nsteps; ++s) {
    if (owner[static_cast<size_t>(s)] == -1) return Violation("step " + std::to_string(s) + " belongs to no stage");
  }
  // Acyclic and everything reachable from the target (iterative DFS).
  std::vector<int> state(static_cast<size_t>(nstages), 0);  // 0 new, 1 on stack, 2 done
  std::vector<std::pair<int, size_t>> stack = {{g.target, 0}};
  state[static_cast<size_t>(g.target)] = 1;
  while (!stack.empty()) {
    auto& [node, next] = stack.back();
    const std::vector<int>& deps = g.stages[static_cast<size_t>(node)].deps;
    if (next < deps.size()) {
      int d = deps[next++];
      if (d < 0 || d >= nstages) return Violation("dependency out of range");
      if (state[static_cast<size_t>(d)] == 1) return Violation("dependency cycle through stage " + std::to_string(d));
      if (state[static_cast<size_t>(d)] == 0) {
        state[static_cast<size_t>(d)] = 1;
        stack.emplace_back(d, 0);
      }
      continue;
    }
    state[static_cast<size_t>(node)] = 2;
    stack.pop_back();
  }
  for (int i = 0; i < nstages; ++i) {
    if (state[static_cast<size_t>(i)] != 2) return Violation("stage " + std::to_string(i) + " is not needed by the target");
  }
  return Status::Ok();
}

}  // namespace shale::frontend
