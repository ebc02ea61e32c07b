#include <algorithm>
#include <utility>

#include "frontend/internal/compiler.h"
#include "frontend/internal/text.h"

namespace shale::frontend::internal {

// Stage name, stage index, or -1 (an image / the context).
// The --build-context a reference means (see CompileOptions), or "".
std::string Compiler::NamedContextFor(const std::string& value) const {
  if (value.empty() || opts_.named_contexts.empty()) return "";
  std::string lower = internal::ToLower(value);
  if (opts_.named_contexts.count(lower)) return lower;
  if (value.size() <= 6 &&
      std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    size_t idx = static_cast<size_t>(std::stoi(value));
    if (idx < pf_.stages.size()) {
      std::string name = internal::ToLower(pf_.stages[idx].from.name);
      if (opts_.named_contexts.count(name)) return name;
    }
  }
  return "";
}

Result<int> Compiler::ResolveRef(const Instruction& ins, const std::string& value, int current,
                                 std::string_view flag) const {
  if (value.empty() || !NamedContextFor(value).empty()) return -1;
  if (auto it = names_.find(internal::ToLower(value)); it != names_.end()) {
    if (it->second == current && flag == "--from") {
      // buildah: the stage is not defined yet while it is being built, so
      // the name is looked up as an image and nothing is found.
      return Err(ins.location, "COPY --from=" + value + ": no stage or image found with that name", flag);
    }
    if (it->second == current) {
      return Err(ins.location,
                 "circular dependency detected on stage: " + value + " (" + std::string(flag) +
                     " refers to the current stage)",
                 flag);
    }
    return it->second;
  }
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (value.size() > 6 || std::stoi(value) >= static_cast<int>(pf_.stages.size())) {
      return Err(ins.location, "invalid stage index " + value + " in " + std::string(flag), flag);
    }
    int idx = std::stoi(value);
    if (idx == current) {
      return Err(ins.location,
                 "circular dependency detected on stage: " + value + " (" + std::string(flag) +
                     " refers to the current stage)",
                 flag);
    }
    return idx;
  }
  return -1;
}

Status Compiler::Discover(int si) {
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
  } else if (auto it = names_.find(internal::ToLower(w.image));
             it != names_.end() && it->second < si && NamedContextFor(w.image).empty()) {
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

Result<int> Compiler::FindTarget() const {
  if (opts_.target.empty()) return static_cast<int>(pf_.stages.size()) - 1;
  auto it = names_.find(internal::ToLower(opts_.target));
  if (it == names_.end()) {
    return InvalidArgumentError(opts_.file + ": target stage " + internal::GoQuote(opts_.target) +
                                " could not be found");
  }
  return it->second;
}

// Stages the target needs (sorted), refusing cycles.
Result<std::vector<int>> Compiler::Reachable(int target) const {
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
      return Err(f.location,
                 "circular dependency detected on stage: " + (f.name.empty() ? std::to_string(d) : f.name));
    }
    if (color[static_cast<size_t>(d)] == 0) push(d);
  }
  std::vector<int> out;
  for (size_t i = 0; i < color.size(); ++i) {
    if (color[i] == 2) out.push_back(static_cast<int>(i));
  }
  return out;
}

}  // namespace shale::frontend::internal
