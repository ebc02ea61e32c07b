#include "frontend/instructions.h"

#include <cmath>
#include <map>
#include <set>

#include "frontend/internal/text.h"
#include "frontend/source.h"

namespace shale::frontend {
namespace {

using internal::ToLower;
using internal::ToUpperAscii;

enum class FlagType { kString, kBool, kList };
struct FlagSpec {
  const char* name;
  FlagType type;
};

struct Flags {
  std::map<std::string, std::string> strings;
  std::map<std::string, bool> bools;
  std::map<std::string, std::vector<std::string>> lists;
  std::string Get(const std::string& name) const {
    auto it = strings.find(name);
    return it == strings.end() ? "" : it->second;
  }
  bool Has(const std::string& name) const { return strings.count(name) > 0; }
  bool Bool(const std::string& name) const {
    auto it = bools.find(name);
    return it != bools.end() && it->second;
  }
};

class InstructionParser {
 public:
  InstructionParser(const Node& node, std::string_view text, std::string_view file)
      : node_(node), text_(text), file_(file) {}

  Status Error(std::string_view message, std::string_view near = {}) const {
    int col = near.empty() ? node_.column : FindColumn(text_, node_.start_line, near, node_.column);
    return LocatedError(StatusCode::kInvalidArgument, file_, text_, {node_.start_line, col}, message);
  }

  // `message`, or the instruction's flag summary naming it when there is one.
  std::string Usage(const std::string& message) const {
    return flag_usage_ ? std::string(flag_usage_) + " (" + message + ")" : message;
  }

  Result<Flags> ParseFlags(std::initializer_list<FlagSpec> allowed) const {
    Flags out;
    std::set<std::string> seen;
    for (const std::string& flag : node_.flags) {
      if (flag.rfind("--", 0) != 0) return Error("flag " + internal::GoQuote(flag) + " must start with '--'", flag);
      std::string body = flag.substr(2);
      std::string name = body, value;
      bool has_value = false;
      if (size_t eq = body.find('='); eq != std::string::npos) {
        name = body.substr(0, eq);
        value = body.substr(eq + 1);
        has_value = true;
      }
      const FlagSpec* spec = nullptr;
      for (const FlagSpec& s : allowed) {
        if (name == s.name) spec = &s;
      }
      if (!spec) return Error(Usage("unknown flag: --" + name), "--" + name);
      if (spec->type != FlagType::kList && !seen.insert(name).second) {
        return Error("Duplicate flag specified: --" + name, flag);
      }
      switch (spec->type) {
        case FlagType::kString:
          if (!has_value) return Error(Usage("Missing a value on flag: --" + name), "--" + name);
          out.strings[name] = value;
          break;
        case FlagType::kList:
          if (!has_value) return Error(Usage("Missing a value on flag: --" + name), "--" + name);
          out.lists[name].push_back(value);
          break;
        case FlagType::kBool: {
          if (!has_value) {
            out.bools[name] = true;
            break;
          }
          std::string v = value;
          if (v == "1" || v == "t" || v == "T" || v == "true" || v == "TRUE" || v == "True") {
            out.bools[name] = true;
          } else if (v == "0" || v == "f" || v == "F" || v == "false" || v == "FALSE" || v == "False") {
            out.bools[name] = false;
          } else {
            return Error("expecting boolean value for flag " + name + ", not: " + value, "--" + name);
          }
          break;
        }
      }
    }
    return out;
  }

  Result<Instruction> Run() {
    Instruction ins;
    ins.location = {node_.start_line, node_.column};
    ins.original = node_.original;
    ins.heredocs = node_.heredocs;
    std::string lower = ToLower(node_.keyword);
    std::string upper = ToUpperAscii(node_.keyword);
    const std::vector<std::string>& args = node_.args;

    if (lower == "run") {
      ins.kind = StepKind::kRun;
      ASSIGN_OR_RETURN(Flags f, ParseFlags({{"mount", FlagType::kList}, {"network", FlagType::kString},
                                            {"security", FlagType::kString}}));
      RunOp run;
      if (node_.json) {
        run.exec_form = true;
        run.exec = args;
      } else {
        // A bare RUN is accepted as buildah does: the shell runs without a
        // command and reports its own error (see PlanRun).
        run.command = args.empty() ? "" : args[0];
        ins.shell_form = true;
      }
      if (f.Has("network")) {
        run.network = f.Get("network");
        if (run.network != "default" && run.network != "none" && run.network != "host") {
          return Error("unsupported network mode \"" + run.network + "\" (want default, none or host)", "--network");
        }
      }
      if (f.Has("security")) {
        run.security = f.Get("security");
        if (run.security != "sandbox" && run.security != "insecure") {
          return Error("unsupported security mode \"" + run.security + "\" (want sandbox or insecure)", "--security");
        }
      }
      ins.mounts = f.lists["mount"];
      ins.op = std::move(run);
      return ins;
    }
    if (lower == "cmd" || lower == "entrypoint") {
      ins.kind = lower == "cmd" ? StepKind::kCmd : StepKind::kEntrypoint;
      RETURN_IF_ERROR(ParseFlags({}).status());
      ins.words = args;
      ins.shell_form = !node_.json;
      ins.op = CommandOp{};
      return ins;
    }
    if (lower == "shell") {
      ins.kind = StepKind::kShell;
      RETURN_IF_ERROR(ParseFlags({}).status());
      if (!node_.json) return Error("SHELL requires the arguments to be in JSON form");
      if (args.empty()) return Error("SHELL requires at least one argument");
      ins.op = ShellOp{args};
      return ins;
    }
    if (lower == "copy" || lower == "add") {
      bool add = lower == "add";
      ins.kind = add ? StepKind::kAdd : StepKind::kCopy;
      Flags f;
      // buildah (imagebuilder) names the flags it takes when one is unknown
      // or lacks its "=value".
      flag_usage_ = add ? "ADD only supports the --chmod=<permissions>, --chown=<uid:gid>, and "
                          "--checksum=<checksum> --exclude=<pattern> flags"
                        : "COPY only supports the --chmod=<permissions> --chown=<uid:gid> "
                          "--from=<image|stage> and the --exclude=<pattern> flags";
      if (add) {
        ASSIGN_OR_RETURN(f, ParseFlags({{"chown", FlagType::kString}, {"chmod", FlagType::kString},
                                        {"link", FlagType::kBool}, {"exclude", FlagType::kList},
                                        {"checksum", FlagType::kString}, {"keep-git-dir", FlagType::kBool}}));
      } else {
        ASSIGN_OR_RETURN(f, ParseFlags({{"from", FlagType::kString}, {"chown", FlagType::kString},
                                        {"chmod", FlagType::kString}, {"link", FlagType::kBool},
                                        {"parents", FlagType::kBool}, {"exclude", FlagType::kList}}));
      }
      if (args.empty()) return Error(upper + " requires at least two arguments");
      if (args.size() == 1) {
        return Error(upper + " requires at least two arguments, but only one was provided. Destination could not be determined");
      }
      CopyOp copy;
      copy.from = f.Get("from");
      copy.chown = f.Get("chown");
      copy.chmod = f.Get("chmod");
      copy.link = f.Bool("link");
      copy.parents = f.Bool("parents");
      copy.excludes = f.lists["exclude"];
      copy.checksum = f.Get("checksum");
      copy.keep_git_dir = f.Bool("keep-git-dir");
      ins.words = args;
      ins.op = std::move(copy);
      return ins;
    }
    if (lower == "env" || lower == "label") {
      ins.kind = lower == "env" ? StepKind::kEnv : StepKind::kLabel;
      RETURN_IF_ERROR(ParseFlags({}).status());
      if (args.empty()) return Error(upper + " requires at least one argument");
      if (args.size() % 3 != 0) return Error("Bad input to " + upper + ", too many arguments");
      for (size_t i = 0; i < args.size(); i += 3) {
        if (args[i].empty()) return Error(upper + " names can not be blank");
        ins.pairs.push_back({args[i], args[i + 1]});
      }
      if (ins.kind == StepKind::kEnv) ins.op = EnvOp{};
      else ins.op = LabelOp{};
      return ins;
    }
    if (lower == "arg") {
      ins.kind = StepKind::kArg;
      RETURN_IF_ERROR(ParseFlags({}).status());
      if (args.empty()) return Error("ARG requires at least one argument");
      for (const std::string& word : args) {
        ArgDecl decl;
        if (size_t eq = word.find('='); eq != std::string::npos) {
          decl.key = word.substr(0, eq);
          decl.value = word.substr(eq + 1);
        } else {
          decl.key = word;
        }
        if (decl.key.empty()) return Error("ARG names can not be blank");
        decl.doc = DocComment(node_.prev_comments, decl.key);
        ins.arg_decls.push_back(std::move(decl));
      }
      ins.op = ArgOp{};
      return ins;
    }
    if (lower == "expose" || lower == "volume") {
      ins.kind = lower == "expose" ? StepKind::kExpose : StepKind::kVolume;
      RETURN_IF_ERROR(ParseFlags({}).status());
      if (args.empty()) return Error(upper + " requires at least one argument");
      ins.words = args;
      if (ins.kind == StepKind::kExpose) ins.op = ExposeOp{};
      else ins.op = VolumeOp{};
      return ins;
    }
    if (lower == "user" || lower == "workdir" || lower == "stopsignal" || lower == "maintainer") {
      RETURN_IF_ERROR(ParseFlags({}).status());
      if (args.size() != 1) return Error(upper + " requires exactly one argument");
      ins.words = args;
      if (lower == "user") {
        ins.kind = StepKind::kUser;
        ins.op = UserOp{};
      } else if (lower == "workdir") {
        ins.kind = StepKind::kWorkdir;
        ins.op = WorkdirOp{};
      } else if (lower == "stopsignal") {
        ins.kind = StepKind::kStopSignal;
        ins.op = StopSignalOp{};
      } else {
        ins.kind = StepKind::kMaintainer;
        ins.op = MaintainerOp{args[0]};
      }
      return ins;
    }
    if (lower == "healthcheck") return Healthcheck(std::move(ins));
    if (lower == "onbuild") {
      ins.kind = StepKind::kOnbuild;
      RETURN_IF_ERROR(ParseFlags({}).status());
      if (!node_.trigger) return Error("ONBUILD requires at least one argument");
      std::string trigger = ToUpperAscii(node_.trigger->keyword);
      if (trigger == "ONBUILD") return Error("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
      if (trigger == "MAINTAINER" || trigger == "FROM") return Error(trigger + " isn't allowed as an ONBUILD trigger");
      // The expression as stored in the image: the line without "ONBUILD",
      // plus any heredoc bodies so that it parses again on its own.
      std::string_view expr = internal::TrimLeftSpace(node_.original);
      expr.remove_prefix(std::min(expr.size(), node_.keyword.size()));
      std::string expression(internal::TrimLeftSpace(expr));
      for (const Heredoc& doc : node_.heredocs) expression += "\n" + doc.content + doc.name;
      ins.op = OnbuildOp{expression};
      return ins;
    }
    if (lower == "from") return Error("FROM is handled by the stage parser");
    return Error("unknown instruction: " + node_.keyword);
  }

  Result<Instruction> Healthcheck(Instruction ins) {
    ins.kind = StepKind::kHealthcheck;
    const std::vector<std::string>& args = node_.args;
    if (args.empty()) return Error("HEALTHCHECK requires at least one argument");
    std::string type = ToUpperAscii(args[0]);
    HealthcheckOp hc;
    if (type == "NONE") {
      RETURN_IF_ERROR(ParseFlags({}).status());
      if (args.size() != 1) return Error("HEALTHCHECK NONE takes no arguments");
      hc.test = {"NONE"};
      ins.op = std::move(hc);
      return ins;
    }
    ASSIGN_OR_RETURN(Flags f, ParseFlags({{"interval", FlagType::kString}, {"timeout", FlagType::kString},
                                          {"start-period", FlagType::kString}, {"start-interval", FlagType::kString},
                                          {"retries", FlagType::kString}}));
    if (type != "CMD") return Error("Unknown type \"" + args[0] + "\" in HEALTHCHECK (try CMD)");
    std::vector<std::string> cmd(args.begin() + 1, args.end());
    if (cmd.empty()) return Error("Missing command after HEALTHCHECK CMD");
    if (node_.json) {
      hc.test = {"CMD"};
      hc.test.insert(hc.test.end(), cmd.begin(), cmd.end());
    } else {
      std::string joined;
      for (size_t i = 0; i < cmd.size(); ++i) joined += (i ? " " : "") + cmd[i];
      hc.test = {"CMD-SHELL", joined};
    }
    struct {
      const char* name;
      int64_t* out;
    } durations[] = {{"interval", &hc.interval_ns},
                     {"timeout", &hc.timeout_ns},
                     {"start-period", &hc.start_period_ns},
                     {"start-interval", &hc.start_interval_ns}};
    for (auto& d : durations) {
      std::string value = f.Get(d.name);
      if (value.empty()) continue;
      Result<int64_t> ns = ParseGoDuration(value);
      if (!ns.ok()) return Error(ns.status().message(), std::string("--") + d.name);
      if (*ns != 0 && *ns < 1000000) {
        return Error(std::string("Interval \"") + d.name + "\" cannot be less than 1ms", std::string("--") + d.name);
      }
      *d.out = *ns;
    }
    if (f.Has("retries")) {
      std::string v = f.Get("retries");
      char* end = nullptr;
      errno = 0;
      long long r = std::strtoll(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || errno != 0 || r > INT32_MAX || r < INT32_MIN) {
        return Error("invalid value for --retries: \"" + v + "\"", "--retries");
      }
      if (r < 0) return Error("--retries cannot be negative", "--retries");
      hc.retries = static_cast<int>(r);
    }
    ins.op = std::move(hc);
    return ins;
  }

 private:
  const Node& node_;
  std::string_view text_;
  std::string_view file_;
  const char* flag_usage_ = nullptr;
};

bool ValidStageName(std::string_view name) {
  if (name.empty() || !(name[0] >= 'a' && name[0] <= 'z')) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Result<int64_t> ParseGoDuration(std::string_view s) {
  std::string orig(s);
  auto bad = [&]() { return InvalidArgumentError("time: invalid duration \"" + orig + "\""); };
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return int64_t{0};
  if (s.empty()) return bad();
  long double total = 0;
  while (!s.empty()) {
    size_t i = 0;
    long double value = 0;
    bool digits = false;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      value = value * 10 + (s[i] - '0');
      ++i;
      digits = true;
    }
    if (i < s.size() && s[i] == '.') {
      ++i;
      long double scale = 0.1L;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        value += (s[i] - '0') * scale;
        scale /= 10;
        ++i;
        digits = true;
      }
    }
    if (!digits) return bad();
    size_t u = i;
    while (u < s.size() && !(s[u] == '.' || (s[u] >= '0' && s[u] <= '9'))) ++u;
    std::string_view unit = s.substr(i, u - i);
    long double mult;
    if (unit == "ns") mult = 1;
    else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") mult = 1e3L;
    else if (unit == "ms") mult = 1e6L;
    else if (unit == "s") mult = 1e9L;
    else if (unit == "m") mult = 60e9L;
    else if (unit == "h") mult = 3600e9L;
    else if (unit.empty()) return InvalidArgumentError("time: missing unit in duration \"" + orig + "\"");
    else return InvalidArgumentError("time: unknown unit \"" + std::string(unit) + "\" in duration \"" + orig + "\"");
    total += value * mult;
    if (total > 9.2e18L) return bad();
    s.remove_prefix(u);
  }
  int64_t ns = static_cast<int64_t>(std::llround(static_cast<double>(total)));
  return neg ? -ns : ns;
}

Result<Instruction> ParseInstruction(const Node& node, std::string_view text, std::string_view file) {
  return InstructionParser(node, text, file).Run();
}

std::string DocComment(const std::vector<std::string>& comments, std::string_view name) {
  std::string doc;
  for (const auto& c : comments) {
    size_t end = c.find_first_of(" \t");
    if (std::string_view(c).substr(0, end) != name || name.empty()) continue;
    size_t rest = end == std::string::npos ? c.size() : c.find_first_not_of(" \t", end);
    doc = rest == std::string::npos ? "" : c.substr(rest);
  }
  return doc;
}

Result<ParsedFile> ParseInstructions(const Ast& ast, std::string_view text, std::string_view file) {
  ParsedFile out;
  std::set<std::string> names;
  for (const Node& node : ast.children) {
    std::string lower = ToLower(node.keyword);
    auto error = [&](std::string_view message) {
      return LocatedError(StatusCode::kInvalidArgument, file, text, {node.start_line, node.column}, message);
    };
    if (lower == "from") {
      InstructionParser p(node, text, file);
      ASSIGN_OR_RETURN(Flags f, p.ParseFlags({{"platform", FlagType::kString}}));
      const auto& args = node.args;
      if (!(args.size() == 1 || (args.size() == 3 && internal::EqualsIgnoreCaseAscii(args[1], "as")))) {
        return error("FROM requires either one or three arguments");
      }
      ParsedStage stage;
      stage.from.image = args[0];
      stage.from.platform = f.Get("platform");
      stage.from.location = {node.start_line, node.column};
      stage.from.original = node.original;
      if (args.size() == 3) {
        stage.from.name = ToLower(args[2]);
        stage.from.doc = DocComment(node.prev_comments, args[2]);
        if (!ValidStageName(stage.from.name)) {
          return LocatedError(StatusCode::kInvalidArgument, file, text,
                              {node.start_line, FindColumn(text, node.start_line, args[2], node.column)},
                              "invalid name for build stage: " + internal::GoQuote(args[2]) +
                                  ", name can't start with a number or contain symbols");
        }
        if (!names.insert(stage.from.name).second) {
          return LocatedError(StatusCode::kInvalidArgument, file, text,
                              {node.start_line, FindColumn(text, node.start_line, args[2], node.column)},
                              "duplicate stage name " + internal::GoQuote(stage.from.name));
        }
      }
      out.stages.push_back(std::move(stage));
      continue;
    }
    ASSIGN_OR_RETURN(Instruction ins, ParseInstruction(node, text, file));
    if (out.stages.empty()) {
      if (ins.kind != StepKind::kArg) {
        return error(std::string(StepKindName(ins.kind)) + " is not allowed before the first FROM (only ARG is)");
      }
      out.global_args.push_back(std::move(ins));
      continue;
    }
    out.stages.back().commands.push_back(std::move(ins));
  }
  if (out.stages.empty()) {
    return LocatedError(StatusCode::kInvalidArgument, file, text, {ast.end_line, 1},
                        "the Containerfile has no FROM instruction: nothing to build");
  }
  return out;
}

}  // namespace shale::frontend
