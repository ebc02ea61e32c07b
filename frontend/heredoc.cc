#include "frontend/heredoc.h"

#include <algorithm>

#include "frontend/shell_lex.h"

namespace shale::frontend {
namespace {

const VarLookup& NoVars() {
  static const VarLookup* lookup = new VarLookup([](std::string_view) -> const std::string* { return nullptr; });
  return *lookup;
}

bool IsGoRegexSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

}  // namespace

Result<std::optional<Heredoc>> ParseHeredocWord(std::string_view src) {
  size_t i = 0;
  while (i < src.size() && src[i] >= '0' && src[i] <= '9') ++i;
  std::string_view digits = src.substr(0, i);
  if (src.substr(i, 2) != "<<") return std::optional<Heredoc>();
  i += 2;
  bool chomp = false;
  if (i < src.size() && src[i] == '-') {
    chomp = true;
    ++i;
  }
  while (i < src.size() && IsGoRegexSpace(src[i])) ++i;
  std::string_view rest = src.substr(i);
  if (rest.find('<') != std::string_view::npos) return std::optional<Heredoc>();
  if (rest.empty()) return std::optional<Heredoc>();

  ShellLexOptions opt;
  opt.skip_unset = true;
  ASSIGN_OR_RETURN(std::vector<std::string> words, ExpandWords(rest, NoVars(), opt));
  if (words.size() != 1) return std::optional<Heredoc>();
  opt.raw_quotes = true;
  ASSIGN_OR_RETURN(std::vector<std::string> raw, ExpandWords(rest, NoVars(), opt));
  if (raw.size() != words.size()) {
    return InvalidArgumentError("internal lexing of heredoc produced inconsistent results: " + std::string(rest));
  }
  auto quotes = [](const std::string& s) {
    return std::count(s.begin(), s.end(), '\'') + std::count(s.begin(), s.end(), '"');
  };
  Heredoc doc;
  doc.name = words[0];
  doc.expand = quotes(words[0]) == quotes(raw[0]);
  doc.chomp = chomp;
  int fd = 0;
  for (char c : digits) {
    if (fd > 100000000) {
      fd = 0;
      break;
    }
    fd = fd * 10 + (c - '0');
  }
  doc.file_descriptor = fd;
  return std::optional<Heredoc>(std::move(doc));
}

Result<std::vector<Heredoc>> HeredocsFromLine(std::string_view line) {
  ShellLexOptions opt;
  opt.raw_quotes = true;
  opt.raw_escapes = true;
  opt.skip_unset = true;
  std::vector<Heredoc> docs;
  Result<std::vector<std::string>> words = ExpandWords(line, NoVars(), opt);
  if (!words.ok()) return docs;  // an unlexable line opens no heredoc
  for (const std::string& word : *words) {
    ASSIGN_OR_RETURN(std::optional<Heredoc> doc, ParseHeredocWord(word));
    if (doc) docs.push_back(std::move(*doc));
  }
  return docs;
}

std::string ChompHeredocContent(std::string_view content) {
  std::string out;
  out.reserve(content.size());
  bool line_start = true;
  for (char c : content) {
    if (line_start && c == '\t') continue;
    line_start = c == '\n';
    out.push_back(c);
  }
  return out;
}

}  // namespace shale::frontend
