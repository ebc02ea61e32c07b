#include "frontend/parser.h"

#include <set>
#include <utility>
#include <vector>

#include "frontend/heredoc.h"
#include "frontend/internal/line_parsers.h"
#include "frontend/internal/text.h"
#include "frontend/limits.h"
#include "frontend/source.h"

namespace shale::frontend {
namespace {

using internal::TrimLeftSpace;

// Physical lines of the text; each keeps its terminator for heredoc bodies.
class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {}
  // Returns false at the end. `raw` includes the '\n' when present.
  bool Next(std::string_view* raw) {
    if (pos_ >= text_.size()) return false;
    size_t nl = text_.find('\n', pos_);
    size_t end = nl == std::string_view::npos ? text_.size() : nl + 1;
    *raw = text_.substr(pos_, end - pos_);
    pos_ = end;
    ++line_;
    return true;
  }
  int line() const { return line_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  int line_ = 0;
};

std::string_view TrimNewline(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool IsComment(std::string_view line) {
  std::string_view t = TrimLeftSpace(TrimNewline(line));
  return !t.empty() && t[0] == '#';
}

class Parser {
 public:
  Parser(std::string_view text, std::string_view file) : text_(text), file_(file), reader_(text) {}

  Result<Ast> Run() {
    if (text_.size() > kMaxFileBytes) {
      return ResourceExhaustedError(std::string(file_) + ": Containerfile is larger than the cap of " +
                                    std::to_string(kMaxFileBytes) + " bytes");
    }
    std::string_view raw;
    std::vector<std::string> comments;
    while (reader_.Next(&raw)) {
      RETURN_IF_ERROR(CheckLength(raw));
      std::string_view bytes = raw;
      if (reader_.line() == 1 && bytes.substr(0, 3) == "\xEF\xBB\xBF") {
        bytes.remove_prefix(3);
        bom_ = 3;
      }
      if (IsComment(bytes)) {
        std::string_view c = internal::TrimSpace(TrimLeftSpace(TrimNewline(bytes)).substr(1));
        if (c.empty()) comments.clear();
        else comments.emplace_back(c);
      }
      int column = 1 + static_cast<int>(TrimNewline(bytes).size() - TrimLeftSpace(TrimNewline(bytes)).size()) +
                   (reader_.line() == 1 ? bom_ : 0);
      std::string_view processed;
      RETURN_IF_ERROR(ProcessLine(bytes, true, &processed));
      int start_line = reader_.line();
      bool end_of_line = true;
      std::string buf;
      TrimContinuation(processed, &buf, &end_of_line);
      if (end_of_line && buf.empty()) continue;

      bool has_empty_continuation = false;
      while (!end_of_line && reader_.Next(&raw)) {
        RETURN_IF_ERROR(CheckLength(raw));
        std::string_view cont;
        RETURN_IF_ERROR(ProcessLine(raw, false, &cont));
        if (IsComment(raw)) continue;
        if (TrimLeftSpace(cont).empty()) {
          has_empty_continuation = true;
          continue;
        }
        TrimContinuation(cont, &buf, &end_of_line);
        if (buf.size() > kMaxLogicalLineBytes) {
          return LocatedError(StatusCode::kResourceExhausted, file_, text_, {start_line, 1},
                              "instruction longer than the cap of " + std::to_string(kMaxLogicalLineBytes) +
                                  " bytes after joining continuation lines");
        }
      }
      if (has_empty_continuation) {
        ast_.warnings.push_back({"Empty continuation line found in: " + buf,
                                 "Empty continuation lines will become errors in a future release",
                                 reader_.line()});
      }
      if (ast_.children.size() >= kMaxInstructions) {
        return LocatedError(StatusCode::kResourceExhausted, file_, text_, {start_line, column},
                            "more than " + std::to_string(kMaxInstructions) + " instructions");
      }
      Node node;
      node.column = column;
      Status st = internal::NodeFromLine(buf, escape_, 0, &node);
      if (!st.ok()) return LocatedError(st.code(), file_, text_, {start_line, column}, st.message());
      if (internal::CanContainHeredoc(node) && buf.find("<<") != std::string::npos) {
        RETURN_IF_ERROR(ReadHeredocs(buf, start_line, column, &node));
      }
      node.start_line = start_line;
      node.end_line = reader_.line();
      node.prev_comments = std::move(comments);
      comments.clear();
      if (ast_.children.empty()) ast_.start_line = start_line;
      ast_.end_line = node.end_line;
      ast_.children.push_back(std::move(node));
    }
    if (ast_.children.empty()) {
      return LocatedError(StatusCode::kInvalidArgument, file_, text_, {std::max(reader_.line(), 1), 1},
                          "file with no instructions");
    }
    ast_.escape = escape_;
    return std::move(ast_);
  }

 private:
  Status CheckLength(std::string_view raw) {
    if (TrimNewline(raw).size() > kMaxLineBytes) {
      return LocatedError(StatusCode::kResourceExhausted, file_, text_, {reader_.line(), 1},
                          "dockerfile line greater than max allowed size of " + std::to_string(kMaxLineBytes));
    }
    return Status::Ok();
  }

  // Strips the newline (and leading space when asked), feeds the directive
  // parser, and returns the line with comments removed.
  Status ProcessLine(std::string_view raw, bool strip_left, std::string_view* out) {
    std::string_view token = TrimNewline(raw);
    if (strip_left) token = TrimLeftSpace(token);
    RETURN_IF_ERROR(PossibleDirective(token));
    *out = IsComment(token) ? std::string_view() : token;
    return Status::Ok();
  }

  // `#\s*name\s*=\s*value\s*` while still in the directive block.
  Status PossibleDirective(std::string_view line) {
    if (directives_done_) return Status::Ok();
    auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; };
    size_t i = 0;
    if (line.empty() || line[0] != '#') {
      directives_done_ = true;
      return Status::Ok();
    }
    ++i;
    while (i < line.size() && is_space(line[i])) ++i;
    size_t name_start = i;
    auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    if (i >= line.size() || !alpha(line[i])) {
      directives_done_ = true;
      return Status::Ok();
    }
    while (i < line.size() && (alpha(line[i]) || (line[i] >= '0' && line[i] <= '9'))) ++i;
    std::string name = internal::ToLower(line.substr(name_start, i - name_start));
    while (i < line.size() && is_space(line[i])) ++i;
    if (i >= line.size() || line[i] != '=') {
      directives_done_ = true;
      return Status::Ok();
    }
    ++i;
    while (i < line.size() && is_space(line[i])) ++i;
    size_t end = line.size();
    while (end > i && is_space(line[end - 1])) --end;
    std::string value;
    if (end > i) {
      value = std::string(line.substr(i, end - i));
    } else if (line.size() > i) {
      value = std::string(1, line.back());  // `(.+?)` takes one blank when nothing else is left
    } else if (i > 0 && is_space(line[i - 1]) && line[i - 1] != '=') {
      value = std::string(1, line[i - 1]);
    } else {
      directives_done_ = true;
      return Status::Ok();
    }
    if (name != "syntax" && name != "escape" && name != "check") {
      directives_done_ = true;
      return Status::Ok();
    }
    if (!seen_.insert(name).second) {
      return LocatedError(StatusCode::kInvalidArgument, file_, text_, {reader_.line(), 1},
                          "only one " + name + " parser directive can be used");
    }
    if (name == "escape") {
      if (value != "`" && value != "\\") {
        return LocatedError(StatusCode::kInvalidArgument, file_, text_, {reader_.line(), 1},
                            "invalid escape token '" + value + "' does not match ` or \\");
      }
      escape_ = value[0];
    }
    ast_.directives.push_back({name, value, reader_.line()});
    return Status::Ok();
  }

  // A line ending in an unescaped escape character (plus blanks) continues.
  void TrimContinuation(std::string_view line, std::string* buf, bool* end_of_line) {
    size_t end = line.size();
    while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\t')) --end;
    if (end >= 1 && line[end - 1] == escape_ && (end == 1 || line[end - 2] != escape_)) {
      buf->append(line.substr(0, end - 1));
      *end_of_line = false;
      return;
    }
    buf->append(line);
    *end_of_line = true;
  }

  Status ReadHeredocs(const std::string& line, int start_line, int column, Node* node) {
    Result<std::vector<Heredoc>> docs = HeredocsFromLine(line);
    if (!docs.ok()) return LocatedError(docs.status().code(), file_, text_, {start_line, column}, docs.status().message());
    for (Heredoc& doc : *docs) {
      bool terminated = false;
      std::string_view raw;
      while (reader_.Next(&raw)) {
        RETURN_IF_ERROR(CheckLength(raw));
        std::string_view candidate = TrimNewline(raw);
        if (doc.chomp) {
          while (!candidate.empty() && candidate[0] == '\t') candidate.remove_prefix(1);
        }
        if (candidate == doc.name) {
          terminated = true;
          break;
        }
        doc.content.append(raw);
      }
      if (!terminated) {
        return LocatedError(StatusCode::kInvalidArgument, file_, text_, {start_line, column},
                            "unterminated heredoc " + internal::GoQuote(doc.name));
      }
      node->heredocs.push_back(std::move(doc));
    }
    return Status::Ok();
  }

  std::string_view text_;
  std::string_view file_;
  LineReader reader_;
  Ast ast_;
  char escape_ = '\\';
  bool directives_done_ = false;
  std::set<std::string> seen_;
  int bom_ = 0;
};

void DumpInto(const Node& node, std::string* out) {
  out->append(internal::ToLower(node.keyword));
  if (!node.flags.empty()) {
    out->append(" [");
    for (size_t i = 0; i < node.flags.size(); ++i) {
      if (i) out->push_back(' ');
      out->append(internal::GoQuote(node.flags[i]));
    }
    out->push_back(']');
  }
  if (node.trigger) {
    out->append(" (");
    DumpInto(*node.trigger, out);
    out->push_back(')');
    return;
  }
  for (const std::string& arg : node.args) {
    out->push_back(' ');
    out->append(internal::GoQuote(arg));
  }
}

}  // namespace

Result<Ast> Parse(std::string_view text, std::string_view file) { return Parser(text, file).Run(); }

Result<Node> ParseInstructionLine(std::string_view line, char escape) {
  if (line.size() > kMaxLogicalLineBytes) {
    return ResourceExhaustedError("instruction longer than the cap of " + std::to_string(kMaxLogicalLineBytes) +
                                  " bytes");
  }
  Node node;
  RETURN_IF_ERROR(internal::NodeFromLine(line, escape, 0, &node));
  node.start_line = node.end_line = 1;
  return node;
}

std::string DumpNode(const Node& node) {
  std::string out;
  DumpInto(node, &out);
  return out;
}

std::string DumpAst(const Ast& ast) {
  std::string out;
  for (const Node& node : ast.children) {
    out.push_back('(');
    DumpInto(node, &out);
    out.append(")\n");
  }
  return out;
}

}  // namespace shale::frontend
