#include "builder/config_ops.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

namespace shale {

using frontend::StepKind;

namespace {

oci::ContainerConfig& Cfg(oci::ImageConfig* config) {
  if (!config->config) config->config.emplace();
  return *config->config;
}

void SetEnv(std::vector<std::string>& env, const std::string& key, const std::string& value) {
  std::string entry = key + "=" + value;
  for (auto& e : env) {
    if (e.compare(0, key.size() + 1, key + "=") == 0) {
      e = entry;
      return;
    }
  }
  env.push_back(entry);
}

std::string JsonArray(const std::vector<std::string>& v) {
  return nlohmann::json(v).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool ParsePort(const std::string& s, int* out) {
  if (s.empty() || s.size() > 5) return false;
  int v = 0;
  for (char c : s) {
    if (!isdigit(static_cast<unsigned char>(c))) return false;
    v = v * 10 + (c - '0');
  }
  if (v < 0 || v > 65535) return false;
  *out = v;
  return true;
}

}  // namespace

bool IsMetadataOnly(StepKind kind) {
  return kind != StepKind::kRun && kind != StepKind::kCopy && kind != StepKind::kAdd &&
         kind != StepKind::kWorkdir && kind != StepKind::kVolume;
}

std::string ResolveWorkdir(const std::string& current, const std::string& path) {
  std::string joined;
  if (!path.empty() && path[0] == '/') {
    joined = path;
  } else {
    joined = (current.empty() ? "/" : current) + "/" + path;
  }
  // Lexical clean: collapse //, drop ., resolve ..
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= joined.size()) {
    size_t j = joined.find('/', i);
    if (j == std::string::npos) j = joined.size();
    std::string part = joined.substr(i, j - i);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    i = j + 1;
  }
  std::string out;
  for (const auto& p : parts) out += "/" + p;
  return out.empty() ? "/" : out;
}

Result<std::vector<std::string>> ExpandPortSpec(const std::string& spec) {
  std::string port = spec, proto = "tcp";
  if (size_t slash = spec.find('/'); slash != std::string::npos) {
    port = spec.substr(0, slash);
    proto = spec.substr(slash + 1);
    std::transform(proto.begin(), proto.end(), proto.begin(), [](unsigned char c) { return std::tolower(c); });
    if (proto != "tcp" && proto != "udp" && proto != "sctp")
      return InvalidArgumentError("invalid protocol in port \"" + spec + "\"");
  }
  int lo = 0, hi = 0;
  if (size_t dash = port.find('-'); dash != std::string::npos) {
    if (!ParsePort(port.substr(0, dash), &lo) || !ParsePort(port.substr(dash + 1), &hi) || hi < lo)
      return InvalidArgumentError("invalid port range \"" + spec + "\"");
  } else {
    if (!ParsePort(port, &lo)) return InvalidArgumentError("invalid port \"" + spec + "\"");
    hi = lo;
  }
  if (hi - lo > 65535) return InvalidArgumentError("invalid port range \"" + spec + "\"");
  std::vector<std::string> out;
  for (int p = lo; p <= hi; ++p) out.push_back(std::to_string(p) + "/" + proto);
  return out;
}

Status ApplyMetadataStep(const frontend::BuildGraph& graph, int index, oci::ImageConfig* config,
                         StageConfigState* state) {
  const frontend::Step& step = graph.steps[index];
  oci::ContainerConfig& c = Cfg(config);
  switch (step.kind) {
    case StepKind::kEnv:
      for (const auto& kv : std::get<frontend::EnvOp>(step.op).vars) SetEnv(c.env, kv.key, kv.value);
      return Status();
    case StepKind::kLabel:
      for (const auto& kv : std::get<frontend::LabelOp>(step.op).labels) c.labels[kv.key] = kv.value;
      return Status();
    case StepKind::kExpose:
      for (const auto& p : std::get<frontend::ExposeOp>(step.op).ports) {
        ASSIGN_OR_RETURN(auto ports, ExpandPortSpec(p));
        for (auto& port : ports) c.exposed_ports.insert(std::move(port));
      }
      return Status();
    case StepKind::kUser:
      c.user = std::get<frontend::UserOp>(step.op).user;
      return Status();
    case StepKind::kWorkdir:
      c.working_dir = ResolveWorkdir(c.working_dir, std::get<frontend::WorkdirOp>(step.op).path);
      return Status();
    case StepKind::kVolume:
      for (const auto& v : std::get<frontend::VolumeOp>(step.op).paths) c.volumes.insert(v);
      return Status();
    case StepKind::kStopSignal:
      c.stop_signal = std::get<frontend::StopSignalOp>(step.op).signal;
      return Status();
    case StepKind::kCmd:
      c.cmd = std::get<frontend::CommandOp>(step.op).argv;
      state->cmd_set_in_stage = true;
      return Status();
    case StepKind::kEntrypoint:
      c.entrypoint = std::get<frontend::CommandOp>(step.op).argv;
      if (!state->cmd_set_in_stage) c.cmd.reset();
      return Status();
    case StepKind::kShell:
      c.shell = std::get<frontend::ShellOp>(step.op).shell;
      return Status();
    case StepKind::kHealthcheck: {
      const auto& h = std::get<frontend::HealthcheckOp>(step.op);
      oci::HealthConfig hc;
      hc.test = h.test;
      if (!(h.test.size() == 1 && h.test[0] == "NONE")) {
        hc.interval = h.interval_ns;
        hc.timeout = h.timeout_ns;
        hc.start_period = h.start_period_ns;
        hc.start_interval = h.start_interval_ns;
        hc.retries = h.retries;
      }
      c.healthcheck = hc;
      return Status();
    }
    case StepKind::kOnbuild:
      c.on_build.push_back(std::get<frontend::OnbuildOp>(step.op).trigger);
      return Status();
    case StepKind::kMaintainer:
      config->author = std::get<frontend::MaintainerOp>(step.op).name;
      return Status();
    case StepKind::kArg:
      return Status();
    case StepKind::kRun:
    case StepKind::kCopy:
    case StepKind::kAdd:
      break;
  }
  return InvalidArgumentError(std::string(frontend::StepKindName(step.kind)) + " is not a metadata step");
}

std::string HistoryCreatedBy(const frontend::BuildGraph& graph, int index) {
  const frontend::Step& step = graph.steps[index];
  const std::string nop = "/bin/sh -c #(nop) ";
  switch (step.kind) {
    case StepKind::kRun: {
      const auto& run = std::get<frontend::RunOp>(step.op);
      std::string prefix;
      auto args = frontend::StepHistoryArgs(graph, index);
      if (!args.empty()) {
        prefix = "|" + std::to_string(args.size());
        for (const auto& kv : args) prefix += " " + kv.key + "=" + kv.value;
        prefix += " ";
      }
      if (run.exec_form) return prefix + JsonArray(run.exec);
      std::string shell;
      for (const auto& s : run.shell) shell += (shell.empty() ? "" : " ") + s;
      return prefix + shell + " " + run.command;
    }
    case StepKind::kCopy:
    case StepKind::kAdd: {
      const auto& copy = std::get<frontend::CopyOp>(step.op);
      std::string text = nop + std::string(frontend::StepKindName(step.kind));
      if (!copy.from.empty()) text += " --from=" + copy.from;
      if (!copy.chown.empty()) text += " --chown=" + copy.chown;
      if (!copy.chmod.empty()) text += " --chmod=" + copy.chmod;
      for (const auto& s : copy.sources) text += " " + s;
      for (const auto& f : copy.inline_sources) text += " <<" + f.name;
      return text + " " + copy.dest;
    }
    case StepKind::kArg: {
      std::string text = nop + "ARG";
      for (const auto& a : std::get<frontend::ArgOp>(step.op).args) text += " " + a.key;
      return text;
    }
    case StepKind::kEnv: {
      std::string text = nop + "ENV";
      for (const auto& kv : std::get<frontend::EnvOp>(step.op).vars) text += " " + kv.key + "=" + kv.value;
      return text;
    }
    case StepKind::kLabel: {
      std::string text = nop + "LABEL";
      for (const auto& kv : std::get<frontend::LabelOp>(step.op).labels)
        text += " \"" + kv.key + "\"=\"" + kv.value + "\"";
      return text;
    }
    case StepKind::kWorkdir:
      return nop + "WORKDIR " + std::get<frontend::WorkdirOp>(step.op).path;
    default: {
      // The instruction as written: metadata carries no secrets (ARG values
      // are not part of it; they only show in RUN's "|N" prefix, minus proxies).
      std::string text = step.original;
      while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
      return nop + text;
    }
  }
}

}  // namespace shale
