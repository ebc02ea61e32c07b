#include "builder/cli/go_template.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstdio>
#include <memory>
#include <optional>
#include <vector>

namespace shale::cli {
namespace {

using Json = nlohmann::ordered_json;
constexpr int kMaxDepth = 64;

// ----------------------------------------------------------------- values

struct Value {
  Json j;
  bool is_map = false;
  bool missing = false;  // "<no value>"
};

bool Truthy(const Value& v) {
  if (v.missing || v.j.is_null()) return false;
  if (v.j.is_boolean()) return v.j.get<bool>();
  if (v.j.is_number()) return v.j.get<double>() != 0;
  if (v.j.is_string()) return !v.j.get_ref<const std::string&>().empty();
  return !v.j.empty();
}

std::string FormatNumber(const Json& j) {
  if (j.is_number_integer()) return std::to_string(j.get<int64_t>());
  if (j.is_number_unsigned()) return std::to_string(j.get<uint64_t>());
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%g", j.get<double>());
  return buf;
}

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

// Go's %v (quote=false) or %q (quote=true) of a value.
std::string Format(const Json& j, bool is_map, bool quote) {
  if (j.is_null()) return "<nil>";
  if (j.is_string()) return quote ? Quote(j.get<std::string>()) : j.get<std::string>();
  if (j.is_boolean()) return j.get<bool>() ? "true" : "false";
  if (j.is_number()) return FormatNumber(j);
  std::string out;
  if (j.is_array()) {
    out = "[";
    bool first = true;
    for (const Json& e : j) {
      if (!first) out += ' ';
      first = false;
      out += Format(e, false, quote);
    }
    return out + "]";
  }
  if (is_map) {
    std::vector<std::string> keys;
    for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
    std::sort(keys.begin(), keys.end());
    out = "map[";
    for (size_t i = 0; i < keys.size(); ++i) {
      if (i) out += ' ';
      out += (quote ? Quote(keys[i]) : keys[i]) + ":" + Format(j.at(keys[i]), false, quote);
    }
    return out + "]";
  }
  out = "{";
  bool first = true;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!first) out += ' ';
    first = false;
    out += Format(it.value(), false, quote);
  }
  return out + "}";
}

// encoding/json matches field names loosely; we also ignore '_' and '.',
// so that .CreatedBy finds "created_by" and .OSVersion finds "os.version".
std::string Fold(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != '_' && c != '.') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Json::const_iterator FindFolded(const Json& obj, std::string_view name) {
  std::string want = Fold(name);
  for (auto it = obj.begin(); it != obj.end(); ++it)
    if (Fold(it.key()) == want) return it;
  return obj.end();
}

std::string Print(const Value& v) { return v.missing ? "<no value>" : Format(v.j, v.is_map, false); }

// ----------------------------------------------------------------- syntax

struct Pipeline;
struct Operand {
  enum Kind { kField, kLiteral, kIdent, kSub } kind = kLiteral;
  bool from_root = false;            // $ / $.A
  std::vector<std::string> path;     // kField, and fields after a kSub
  Json literal;
  std::string ident;
  std::shared_ptr<Pipeline> sub;
};
using Command = std::vector<Operand>;
struct Pipeline {
  std::vector<Command> commands;
};

struct Node {
  enum Kind { kText, kAction, kIf, kRange, kWith } kind = kText;
  std::string text;
  Pipeline pipe;
  std::vector<Node> body, else_body;
};

Status SyntaxError(const std::string& what, std::string_view action) {
  return InvalidArgumentError("template: " + what + " in {{" + std::string(action) + "}}");
}

// Splits an action's text into tokens.
Result<std::vector<std::string>> Tokenize(std::string_view a) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < a.size()) {
    char c = a[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
    } else if (c == '(' || c == ')' || c == '|') {
      out.emplace_back(1, c);
      ++i;
    } else if (c == '"' || c == '`') {
      size_t j = i + 1;
      while (j < a.size() && a[j] != c) j += (c == '"' && a[j] == '\\') ? 2 : 1;
      if (j >= a.size()) return SyntaxError("unterminated string", a);
      out.emplace_back(a.substr(i, j + 1 - i));
      i = j + 1;
    } else {
      size_t j = i;
      while (j < a.size() && std::string_view(" \t\n\r()|\"`").find(a[j]) == std::string_view::npos) ++j;
      out.emplace_back(a.substr(i, j - i));
      i = j;
    }
  }
  return out;
}

Result<std::string> Unquote(const std::string& tok, std::string_view action) {
  if (tok[0] == '`') return tok.substr(1, tok.size() - 2);
  std::string out;
  for (size_t i = 1; i + 1 < tok.size(); ++i) {
    if (tok[i] != '\\') {
      out += tok[i];
      continue;
    }
    char e = tok[++i];
    switch (e) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case '\\': out += '\\'; break;
      case '"': out += '"'; break;
      default: return SyntaxError(std::string("unsupported escape \\") + e, action);
    }
  }
  return out;
}

std::vector<std::string> SplitPath(std::string_view fields) {
  std::vector<std::string> path;
  size_t p = 0;
  while (p < fields.size()) {
    size_t dot = fields.find('.', p + 1);
    std::string_view f = fields.substr(p + 1, dot == std::string_view::npos ? std::string_view::npos : dot - p - 1);
    if (!f.empty()) path.emplace_back(f);
    if (dot == std::string_view::npos) break;
    p = dot;
  }
  return path;
}

class PipelineParser {
 public:
  PipelineParser(std::vector<std::string> toks, std::string_view action) : toks_(std::move(toks)), action_(action) {}

  Result<Pipeline> ParseAll() {
    ASSIGN_OR_RETURN(Pipeline p, Parse(0));
    if (pos_ != toks_.size()) return SyntaxError("unexpected \"" + toks_[pos_] + "\"", action_);
    return p;
  }

 private:
  Result<Pipeline> Parse(int depth) {
    if (depth > kMaxDepth) return SyntaxError("nested too deeply", action_);
    Pipeline p;
    Command cmd;
    while (pos_ < toks_.size() && toks_[pos_] != ")") {
      const std::string& t = toks_[pos_];
      if (t == "|") {
        if (cmd.empty()) return SyntaxError("missing command before |", action_);
        p.commands.push_back(std::move(cmd));
        cmd.clear();
        ++pos_;
        continue;
      }
      ASSIGN_OR_RETURN(Operand op, ParseOperand(depth));
      cmd.push_back(std::move(op));
    }
    if (cmd.empty()) return SyntaxError("missing value", action_);
    p.commands.push_back(std::move(cmd));
    return p;
  }

  Result<Operand> ParseOperand(int depth) {
    std::string t = toks_[pos_++];
    Operand op;
    if (t == "(") {
      ASSIGN_OR_RETURN(Pipeline sub, Parse(depth + 1));
      if (pos_ >= toks_.size() || toks_[pos_] != ")") return SyntaxError("unclosed (", action_);
      ++pos_;
      op.kind = Operand::kSub;
      op.sub = std::make_shared<Pipeline>(std::move(sub));
      // A field chain right after ")" applies to the result: (index .A 0).B
      if (pos_ < toks_.size() && toks_[pos_].starts_with(".")) op.path = SplitPath(toks_[pos_++]);
      return op;
    }
    if (t[0] == '"' || t[0] == '`') {
      ASSIGN_OR_RETURN(std::string s, Unquote(t, action_));
      op.literal = s;
      return op;
    }
    if (t[0] == '.') {
      op.kind = Operand::kField;
      op.path = SplitPath(t);
      return op;
    }
    if (t[0] == '$') {
      if (t != "$" && !t.starts_with("$.")) return SyntaxError("variables are not supported: " + t, action_);
      op.kind = Operand::kField;
      op.from_root = true;
      op.path = SplitPath(t.substr(1));
      return op;
    }
    if (t == "true" || t == "false") {
      op.literal = (t == "true");
      return op;
    }
    if (t == "nil") {
      op.literal = nullptr;
      return op;
    }
    if ((t[0] >= '0' && t[0] <= '9') || t[0] == '-') {
      char* end = nullptr;
      long long v = std::strtoll(t.c_str(), &end, 10);
      if (*end != '\0') return SyntaxError("bad number " + t, action_);
      op.literal = static_cast<int64_t>(v);
      return op;
    }
    op.kind = Operand::kIdent;
    op.ident = t;
    return op;
  }

  std::vector<std::string> toks_;
  std::string_view action_;
  size_t pos_ = 0;
};

// A template split into text and actions, then nested by if/range/with/end.
struct Item {
  bool action = false;
  std::string text;
};

Result<std::vector<Item>> Lex(std::string_view t) {
  std::vector<Item> items;
  size_t pos = 0;
  bool trim_next = false;
  while (pos <= t.size()) {
    size_t open = t.find("{{", pos);
    std::string text(t.substr(pos, open == std::string_view::npos ? std::string_view::npos : open - pos));
    bool trim_prev = open != std::string_view::npos && open + 2 < t.size() && t[open + 2] == '-' &&
                     open + 3 < t.size() && std::isspace(static_cast<unsigned char>(t[open + 3]));
    if (trim_next) text.erase(0, text.find_first_not_of(" \t\r\n") == std::string::npos
                                     ? text.size() : text.find_first_not_of(" \t\r\n"));
    if (trim_prev) text.erase(text.find_last_not_of(" \t\r\n") + 1);
    if (!text.empty()) items.push_back({false, text});
    if (open == std::string_view::npos) break;
    size_t i = open + 2 + (trim_prev ? 1 : 0);
    // Find "}}" outside string literals.
    size_t close = std::string_view::npos;
    for (size_t j = i; j + 1 < t.size(); ++j) {
      char c = t[j];
      if (c == '"' || c == '`') {
        size_t k = j + 1;
        while (k < t.size() && t[k] != c) k += (c == '"' && t[k] == '\\') ? 2 : 1;
        j = k;
        continue;
      }
      if (c == '}' && t[j + 1] == '}') {
        close = j;
        break;
      }
    }
    if (close == std::string_view::npos) return InvalidArgumentError("template: unclosed action");
    std::string_view body = t.substr(i, close - i);
    trim_next = body.size() >= 2 && body.back() == '-' && std::isspace(static_cast<unsigned char>(body[body.size() - 2]));
    if (trim_next) body.remove_suffix(1);
    std::string b(body);
    size_t first = b.find_first_not_of(" \t\r\n");
    b = first == std::string::npos ? "" : b.substr(first, b.find_last_not_of(" \t\r\n") - first + 1);
    if (!(b.starts_with("/*") && b.ends_with("*/"))) items.push_back({true, b});
    pos = close + 2;
  }
  return items;
}

class TreeParser {
 public:
  explicit TreeParser(std::vector<Item> items) : items_(std::move(items)) {}

  Result<std::vector<Node>> ParseAll() {
    std::string end;
    ASSIGN_OR_RETURN(std::vector<Node> nodes, ParseList(0, &end));
    if (!end.empty()) return InvalidArgumentError("template: unexpected {{" + end + "}}");
    return nodes;
  }

 private:
  static std::string Keyword(const std::string& a) { return a.substr(0, a.find_first_of(" \t\r\n")); }

  Result<Pipeline> ParsePipe(const std::string& text, std::string_view action) {
    ASSIGN_OR_RETURN(std::vector<std::string> toks, Tokenize(text));
    if (toks.size() >= 2 && (toks[1] == ":=" || toks[1] == "=" || toks[1].ends_with(",")))
      return SyntaxError("variables are not supported", action);
    return PipelineParser(std::move(toks), action).ParseAll();
  }

  // Parses until {{end}} / {{else…}} (returned in *stop) or the end of input.
  Result<std::vector<Node>> ParseList(int depth, std::string* stop) {
    if (depth > kMaxDepth) return InvalidArgumentError("template: nested too deeply");
    std::vector<Node> out;
    stop->clear();
    while (pos_ < items_.size()) {
      const Item& it = items_[pos_++];
      if (!it.action) {
        out.push_back(Node{Node::kText, it.text, {}, {}, {}});
        continue;
      }
      std::string kw = Keyword(it.text);
      if (kw == "end" || kw == "else") {
        *stop = it.text;
        return out;
      }
      if (kw == "if" || kw == "range" || kw == "with") {
        ASSIGN_OR_RETURN(Node n, ParseControl(kw, it.text.substr(kw.size()), it.text, depth));
        out.push_back(std::move(n));
        continue;
      }
      Node n;
      n.kind = Node::kAction;
      ASSIGN_OR_RETURN(n.pipe, ParsePipe(it.text, it.text));
      out.push_back(std::move(n));
    }
    return out;
  }

  Result<Node> ParseControl(const std::string& kw, const std::string& rest, const std::string& action, int depth) {
    Node n;
    n.kind = kw == "if" ? Node::kIf : kw == "range" ? Node::kRange : Node::kWith;
    ASSIGN_OR_RETURN(n.pipe, ParsePipe(rest, action));
    std::string stop;
    ASSIGN_OR_RETURN(n.body, ParseList(depth + 1, &stop));
    if (stop.empty()) return InvalidArgumentError("template: missing {{end}} for {{" + action + "}}");
    if (Keyword(stop) == "else") {
      std::string after = stop.substr(4);
      size_t f = after.find_first_not_of(" \t\r\n");
      after = f == std::string::npos ? "" : after.substr(f);
      if (after.starts_with("if ") || after.starts_with("with ")) {
        // {{else if X}} … {{end}} is an if nested in the else branch that shares the {{end}}.
        std::string kw2 = Keyword(after);
        ASSIGN_OR_RETURN(Node inner, ParseControl(kw2, after.substr(kw2.size()), after, depth + 1));
        n.else_body.push_back(std::move(inner));
        return n;
      }
      ASSIGN_OR_RETURN(n.else_body, ParseList(depth + 1, &stop));
      if (Keyword(stop) != "end") return InvalidArgumentError("template: missing {{end}} for {{" + action + "}}");
    }
    return n;
  }

  std::vector<Item> items_;
  size_t pos_ = 0;
};

// ----------------------------------------------------------------- evaluation

class Evaluator {
 public:
  explicit Evaluator(const GoTemplateData& data) : data_(data) {}

  Status Exec(const std::vector<Node>& nodes, const Value& dot, std::string& out, int depth) {
    if (depth > kMaxDepth) return InvalidArgumentError("template: nested too deeply");
    for (const Node& n : nodes) {
      switch (n.kind) {
        case Node::kText:
          out += n.text;
          break;
        case Node::kAction: {
          ASSIGN_OR_RETURN(Value v, EvalPipe(n.pipe, dot, depth));
          out += Print(v);
          break;
        }
        case Node::kIf:
        case Node::kWith: {
          ASSIGN_OR_RETURN(Value v, EvalPipe(n.pipe, dot, depth));
          if (Truthy(v)) {
            RETURN_IF_ERROR(Exec(n.body, n.kind == Node::kWith ? v : dot, out, depth + 1));
          } else {
            RETURN_IF_ERROR(Exec(n.else_body, dot, out, depth + 1));
          }
          break;
        }
        case Node::kRange: {
          ASSIGN_OR_RETURN(Value v, EvalPipe(n.pipe, dot, depth));
          if (!Truthy(v)) {
            RETURN_IF_ERROR(Exec(n.else_body, dot, out, depth + 1));
            break;
          }
          if (v.j.is_array()) {
            for (const Json& e : v.j) RETURN_IF_ERROR(Exec(n.body, Value{e}, out, depth + 1));
          } else if (v.j.is_object() && v.is_map) {
            std::vector<std::string> keys;
            for (auto it = v.j.begin(); it != v.j.end(); ++it) keys.push_back(it.key());
            std::sort(keys.begin(), keys.end());
            for (const auto& k : keys) RETURN_IF_ERROR(Exec(n.body, Value{v.j.at(k)}, out, depth + 1));
          } else {
            return InvalidArgumentError("template: range can't iterate over " + Print(v));
          }
          break;
        }
      }
    }
    return Status::Ok();
  }

 private:
  Result<Value> Field(Value v, const std::vector<std::string>& path) {
    for (const std::string& f : path) {
      if (v.missing || v.j.is_null()) return Value{Json(), false, true};
      if (!v.j.is_object()) return InvalidArgumentError("template: can't evaluate field " + f + " in " + Print(v));
      const Json& obj = v.j;
      auto it = obj.find(f);
      if (it == obj.end()) it = FindFolded(obj, f);
      // JSON omits empty fields (omitempty), so an absent key is no error.
      if (it == obj.end()) return Value{Json(), false, true};
      v = Value{*it, data_.map_fields.count(f) > 0};
    }
    return v;
  }

  Result<Value> EvalOperand(const Operand& op, const Value& dot, int depth) {
    switch (op.kind) {
      case Operand::kLiteral:
        return Value{op.literal};
      case Operand::kField:
        return Field(op.from_root ? Value{data_.root} : dot, op.path);
      case Operand::kSub: {
        ASSIGN_OR_RETURN(Value v, EvalPipe(*op.sub, dot, depth + 1));
        return Field(v, op.path);
      }
      case Operand::kIdent:
        return Call(op.ident, {}, dot);
    }
    return InternalError("template: bad operand");
  }

  Result<Value> EvalPipe(const Pipeline& p, const Value& dot, int depth) {
    if (depth > kMaxDepth) return InvalidArgumentError("template: nested too deeply");
    std::optional<Value> piped;
    for (const Command& cmd : p.commands) {
      if (cmd[0].kind == Operand::kIdent) {
        std::vector<Value> args;
        for (size_t i = 1; i < cmd.size(); ++i) {
          ASSIGN_OR_RETURN(Value a, EvalOperand(cmd[i], dot, depth + 1));
          args.push_back(std::move(a));
        }
        if (piped) args.push_back(*piped);
        ASSIGN_OR_RETURN(Value r, Call(cmd[0].ident, args, dot));
        piped = std::move(r);
        continue;
      }
      if (cmd.size() != 1 || piped) return InvalidArgumentError("template: can't give arguments to a non-function");
      ASSIGN_OR_RETURN(Value v, EvalOperand(cmd[0], dot, depth + 1));
      piped = std::move(v);
    }
    return *piped;
  }

  Result<Value> Printf(const std::vector<Value>& args) {
    if (args.empty() || !args[0].j.is_string()) return InvalidArgumentError("template: printf wants a format string");
    const std::string& f = args[0].j.get_ref<const std::string&>();
    std::string out;
    size_t next = 1;
    for (size_t i = 0; i < f.size(); ++i) {
      if (f[i] != '%') {
        out += f[i];
        continue;
      }
      if (++i >= f.size()) {
        out += "%!(NOVERB)";
        break;
      }
      char verb = f[i];
      if (verb == '%') {
        out += '%';
        continue;
      }
      if (next >= args.size()) {
        out += std::string("%!") + verb + "(MISSING)";
        continue;
      }
      const Value& a = args[next++];
      switch (verb) {
        case 'v': case 's': case 'd': case 't': out += Print(a); break;
        case 'q': out += a.missing ? Quote("<no value>") : Format(a.j, a.is_map, true); break;
        case 'x': {
          std::string s = Print(a), hex;
          for (unsigned char c : s) {
            char b[3];
            std::snprintf(b, sizeof(b), "%02x", c);
            hex += b;
          }
          out += a.j.is_number_integer() ? [&] {
            char b[32];
            std::snprintf(b, sizeof(b), "%llx", static_cast<long long>(a.j.get<int64_t>()));
            return std::string(b);
          }() : hex;
          break;
        }
        default: return InvalidArgumentError(std::string("template: printf verb %") + verb + " is not supported");
      }
    }
    return Value{out};
  }

  Result<Value> Call(const std::string& fn, const std::vector<Value>& args, const Value& dot) {
    (void)dot;
    auto want = [&](size_t n) -> Status {
      if (args.size() != n)
        return InvalidArgumentError("template: wrong number of args for " + fn + ": want " + std::to_string(n) +
                                    " got " + std::to_string(args.size()));
      return Status::Ok();
    };
    if (fn == "json") {
      RETURN_IF_ERROR(want(1));
      if (args[0].missing) return InvalidArgumentError("template: json of a missing value");
      std::string s = args[0].j.dump(-1, ' ', false, Json::error_handler_t::replace), esc;
      for (char c : s) {
        if (c == '<') esc += "\\u003c";
        else if (c == '>') esc += "\\u003e";
        else if (c == '&') esc += "\\u0026";
        else esc += c;
      }
      return Value{esc};
    }
    if (fn == "len") {
      RETURN_IF_ERROR(want(1));
      const Json& j = args[0].j;
      if (j.is_array() || j.is_object()) return Value{static_cast<int64_t>(j.size())};
      if (j.is_string()) return Value{static_cast<int64_t>(j.get_ref<const std::string&>().size())};
      if (j.is_null() && !args[0].missing) return Value{int64_t{0}};
      return InvalidArgumentError("template: len of " + Print(args[0]));
    }
    if (fn == "index") {
      if (args.empty()) return InvalidArgumentError("template: index wants an argument");
      Value v = args[0];
      for (size_t i = 1; i < args.size(); ++i) {
        const Json& k = args[i].j;
        if (v.j.is_array() && k.is_number_integer()) {
          int64_t n = k.get<int64_t>();
          if (n < 0 || static_cast<size_t>(n) >= v.j.size())
            return InvalidArgumentError("template: index out of range: " + std::to_string(n));
          v = Value{v.j[static_cast<size_t>(n)]};
        } else if ((v.j.is_object() || v.j.is_null()) && k.is_string()) {
          auto it = v.j.is_object() ? v.j.find(k.get<std::string>()) : v.j.end();
          // A missing map key gives the zero value; the maps we show hold strings.
          v = (v.j.is_object() && it != v.j.end()) ? Value{*it} : Value{""};
        } else {
          return InvalidArgumentError("template: can't index " + Print(v) + " with " + Print(args[i]));
        }
      }
      return v;
    }
    if (fn == "printf") return Printf(args);
    if (fn == "print" || fn == "println") {
      std::string out;
      for (size_t i = 0; i < args.size(); ++i) {
        bool sep = fn == "println" || (i > 0 && !args[i].j.is_string() && !args[i - 1].j.is_string());
        if (i > 0 && sep) out += ' ';
        out += Print(args[i]);
      }
      if (fn == "println") out += '\n';
      return Value{out};
    }
    if (fn == "eq" || fn == "ne") {
      if (args.size() < 2) return InvalidArgumentError("template: " + fn + " wants two arguments");
      bool eq = false;
      for (size_t i = 1; i < args.size(); ++i) eq = eq || args[0].j == args[i].j;
      return Value{fn == "eq" ? eq : !eq};
    }
    if (fn == "not") {
      RETURN_IF_ERROR(want(1));
      return Value{!Truthy(args[0])};
    }
    if (fn == "and" || fn == "or") {
      if (args.empty()) return InvalidArgumentError("template: " + fn + " wants arguments");
      for (const Value& a : args)
        if (Truthy(a) == (fn == "or")) return a;
      return args.back();
    }
    if (fn == "lower" || fn == "upper") {
      RETURN_IF_ERROR(want(1));
      std::string s = Print(args[0]);
      for (char& c : s) c = fn == "lower" ? std::tolower(static_cast<unsigned char>(c)) : std::toupper(static_cast<unsigned char>(c));
      return Value{s};
    }
    if (fn == "join") {
      RETURN_IF_ERROR(want(2));
      if (!args[0].j.is_array()) return InvalidArgumentError("template: join wants a list");
      std::string out;
      for (size_t i = 0; i < args[0].j.size(); ++i) out += (i ? Print(args[1]) : "") + Format(args[0].j[i], false, false);
      return Value{out};
    }
    return InvalidArgumentError("template: function \"" + fn + "\" not defined");
  }

  const GoTemplateData& data_;
};

}  // namespace

Result<std::string> RenderGoTemplate(std::string_view tmpl, const GoTemplateData& data) {
  ASSIGN_OR_RETURN(std::vector<Item> items, Lex(tmpl));
  ASSIGN_OR_RETURN(std::vector<Node> nodes, TreeParser(std::move(items)).ParseAll());
  std::string out;
  RETURN_IF_ERROR(Evaluator(data).Exec(nodes, Value{data.root}, out, 0));
  return out;
}

}  // namespace shale::cli
