#include "frontend/internal/compiler.h"
#include "frontend/limits.h"

namespace shale::frontend::internal {

void Compiler::ResolveBuildArgs() {
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

Status Compiler::GlobalArgs() {
  const Platform& t = opts_.target_platform;
  const Platform& b = opts_.build_platform;
  predefined_ = {{"TARGETPLATFORM", t.ToString()}, {"TARGETOS", t.os},
                 {"TARGETARCH", t.architecture},   {"TARGETVARIANT", t.variant},
                 {"BUILDPLATFORM", b.ToString()},  {"BUILDOS", b.os},
                 {"BUILDARCH", b.architecture},    {"BUILDVARIANT", b.variant}};
  for (const KeyValue& kv : predefined_) meta_.args[kv.key] = kv.value;
  for (const Instruction& ins : pf_.global_args) {
    ASSIGN_OR_RETURN(auto values, ResolveArgs(ins, meta_));
    for (const ArgOp::Arg& a : values) {
      consumed_.insert(a.key);
      if (a.value)
        meta_.args[a.key] = *a.value;
      else if (!IsPredefined(a.key))
        meta_.args.erase(a.key);
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

bool Compiler::IsPredefined(const std::string& key) const {
  for (const KeyValue& kv : predefined_) {
    if (kv.key == key) return true;
  }
  return false;
}

// ARG values: --build-arg, else the default (expanded before the line), else
// the global value. All defaults on one line see the variables before it.
Result<std::vector<ArgOp::Arg>> Compiler::ResolveArgs(const Instruction& ins, const Scope& scope) const {
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

Status Compiler::ApplyArg(const Instruction& ins, Scope& scope, Stage* st, ArgOp* op, bool consume) {
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

Status Compiler::Push(const Instruction& ins, std::vector<KeyValue>* log, const std::string& k,
                      const std::string& v) {
  env_bytes_ += k.size() + v.size();
  if (env_bytes_ > kMaxStageEnvBytes) {
    return LocatedError(
        StatusCode::kResourceExhausted, opts_.file, text_, ins.location,
        "ENV/ARG values of this stage exceed the cap of " + std::to_string(kMaxStageEnvBytes) + " bytes");
  }
  log->push_back({k, v});
  return Status::Ok();
}

void Compiler::Warnings() {
  std::string unused;
  for (const auto& [k, v] : build_args_) {
    if (consumed_.count(k) || IsPredefined(k) || IsProxyArg(k)) continue;
    unused += (unused.empty() ? "" : " ") + k;
  }
  if (!unused.empty())
    graph_.warnings.push_back("one or more build args were not consumed: [" + unused + "]");
}

}  // namespace shale::frontend::internal
