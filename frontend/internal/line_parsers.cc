#include "frontend/internal/line_parsers.h"

#include <memory>

#include "frontend/internal/json_array.h"
#include "frontend/internal/text.h"

namespace shale::frontend::internal {
namespace {

// Split on runs of [\t\v\f\r ] (Go's reWhitespace).
bool IsSplitSpace(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r'; }

std::vector<std::string> SplitWhitespace(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (true) {
    size_t j = i;
    while (j < s.size() && !IsSplitSpace(s[j])) ++j;
    out.emplace_back(s.substr(i, j - i));
    if (j >= s.size()) break;
    while (j < s.size() && IsSplitSpace(s[j])) ++j;
    i = j;
  }
  return out;
}

// Splits once on the first whitespace run; second is empty when absent.
bool SplitOnce(std::string_view s, std::string_view* first, std::string_view* second) {
  size_t j = 0;
  while (j < s.size() && !IsSplitSpace(s[j])) ++j;
  *first = s.substr(0, j);
  if (j >= s.size()) return false;
  while (j < s.size() && IsSplitSpace(s[j])) ++j;
  *second = s.substr(j);
  return true;
}

Status ParseMaybeJson(std::string_view rest, Node* node) {
  if (rest.empty()) return Status::Ok();
  std::vector<std::string> items;
  switch (ParseJsonStringArray(rest, &items)) {
    case JsonArrayResult::kOk:
      node->args = std::move(items);
      node->json = true;
      return Status::Ok();
    case JsonArrayResult::kNotStringArray:
      return InvalidArgumentError("when using JSON array syntax, arrays must be comprised of strings only");
    case JsonArrayResult::kNotJson:
      break;
  }
  node->args.emplace_back(rest);
  return Status::Ok();
}

Status ParseMaybeJsonToList(std::string_view rest, Node* node) {
  std::vector<std::string> items;
  switch (ParseJsonStringArray(rest, &items)) {
    case JsonArrayResult::kOk:
      node->args = std::move(items);
      node->json = true;
      return Status::Ok();
    case JsonArrayResult::kNotStringArray:
      return InvalidArgumentError("when using JSON array syntax, arrays must be comprised of strings only");
    case JsonArrayResult::kNotJson:
      break;
  }
  if (!rest.empty()) node->args = SplitWhitespace(rest);
  return Status::Ok();
}

Status ParseNameVal(std::string_view rest, std::string_view key, char escape, Node* node) {
  std::vector<std::string> words = ParseWords(rest, escape);
  if (words.empty()) return Status::Ok();
  if (words[0].find('=') == std::string::npos) {
    std::string_view name, value;
    if (!SplitOnce(rest, &name, &value)) {
      return InvalidArgumentError(std::string(key) + " must have two arguments");
    }
    node->args = {std::string(name), std::string(value), ""};
    return Status::Ok();
  }
  for (const std::string& word : words) {
    size_t eq = word.find('=');
    if (eq == std::string::npos) {
      return InvalidArgumentError("Syntax error - can't find = in " + GoQuote(word) +
                                  ". Must be of the form: name=value");
    }
    node->args.push_back(word.substr(0, eq));
    node->args.push_back(word.substr(eq + 1));
    node->args.push_back("=");
  }
  return Status::Ok();
}

Status ParseHealthConfig(std::string_view rest, Node* node) {
  size_t sep = 0;
  while (sep < rest.size() && !IsAsciiSpace(static_cast<unsigned char>(rest[sep]))) ++sep;
  size_t next = sep;
  while (next < rest.size() && IsAsciiSpace(static_cast<unsigned char>(rest[next]))) ++next;
  if (sep == 0) return Status::Ok();
  Node cmd;
  RETURN_IF_ERROR(ParseMaybeJson(rest.substr(next), &cmd));
  node->args.emplace_back(rest.substr(0, sep));
  for (auto& a : cmd.args) node->args.push_back(std::move(a));
  node->json = cmd.json;
  return Status::Ok();
}

}  // namespace

std::vector<std::string> ParseWords(std::string_view rest, char escape) {
  enum { kSpaces, kWord, kQuote } phase = kSpaces;
  std::vector<std::string> words;
  std::string word;
  char quote = 0;
  bool blank_ok = false;
  size_t pos = 0;
  while (true) {
    if (pos >= rest.size()) {
      if (phase != kSpaces && (blank_ok || !word.empty())) words.push_back(std::move(word));
      break;
    }
    char32_t r;
    size_t w = DecodeRune(rest, pos, &r);
    std::string_view bytes = rest.substr(pos, w);
    bool valid = !(r == kRuneError && w == 1);
    if (phase == kSpaces) {
      if (valid && IsUnicodeSpace(r)) {
        pos += w;
        continue;
      }
      phase = kWord;
    }
    if (phase == kWord) {
      if (valid && IsUnicodeSpace(r)) {
        phase = kSpaces;
        if (blank_ok || !word.empty()) words.push_back(std::move(word));
        word.clear();
        blank_ok = false;
        pos += w;
        continue;
      }
      if (r == '\'' || r == '"') {
        quote = static_cast<char>(r);
        blank_ok = true;
        phase = kQuote;
      }
      if (r == static_cast<unsigned char>(escape)) {
        if (pos + w == rest.size()) {
          pos += w;
          continue;  // an escape at the end is dropped
        }
        word.append(bytes);
        pos += w;
        w = DecodeRune(rest, pos, &r);
        bytes = rest.substr(pos, w);
      }
      word.append(bytes);
      pos += w;
      continue;
    }
    // kQuote
    if (r == static_cast<unsigned char>(quote)) phase = kWord;
    if (r == static_cast<unsigned char>(escape) && quote != '\'') {
      if (pos + w == rest.size()) {
        phase = kWord;
        pos += w;
        continue;
      }
      word.append(bytes);
      pos += w;
      w = DecodeRune(rest, pos, &r);
      bytes = rest.substr(pos, w);
    }
    word.append(bytes);
    pos += w;
  }
  return words;
}

std::string_view ExtractFlags(std::string_view line, char escape, std::vector<std::string>* flags) {
  enum { kSpaces, kWord, kQuote } phase = kSpaces;
  std::string word;
  char quote = 0;
  bool blank_ok = false;
  for (size_t pos = 0; pos <= line.size(); ++pos) {
    char ch = pos < line.size() ? line[pos] : '\0';
    if (phase == kSpaces) {
      if (pos == line.size()) break;
      if (IsAsciiSpace(static_cast<unsigned char>(ch))) continue;
      if (ch != '-' || pos + 1 == line.size() || line[pos + 1] != '-') return line.substr(pos);
      phase = kWord;
    }
    if (pos == line.size()) {
      if (word != "--" && (blank_ok || !word.empty())) flags->push_back(word);
      break;
    }
    if (phase == kWord) {
      if (IsAsciiSpace(static_cast<unsigned char>(ch))) {
        phase = kSpaces;
        if (word == "--") return line.substr(pos);
        if (blank_ok || !word.empty()) flags->push_back(word);
        word.clear();
        blank_ok = false;
        continue;
      }
      if (ch == '\'' || ch == '"') {
        quote = ch;
        blank_ok = true;
        phase = kQuote;
        continue;
      }
      if (ch == escape) {
        if (pos + 1 == line.size()) continue;
        ch = line[++pos];
      }
      word.push_back(ch);
      continue;
    }
    // kQuote
    if (ch == quote) {
      phase = kWord;
      continue;
    }
    if (ch == escape) {
      if (pos + 1 == line.size()) {
        phase = kWord;
        continue;
      }
      ch = line[++pos];
    }
    word.push_back(ch);
  }
  return {};
}

Status NodeFromLine(std::string_view line, char escape, int depth, Node* node) {
  std::string_view trimmed = TrimSpace(line);
  std::string_view cmd, rest_raw;
  bool has_rest = SplitOnce(trimmed, &cmd, &rest_raw);
  node->keyword = std::string(cmd);
  node->original = std::string(line);
  std::string_view rest;
  if (has_rest) rest = TrimSpace(ExtractFlags(rest_raw, escape, &node->flags));
  std::string lower = ToLower(cmd);

  if (lower == "add" || lower == "copy" || lower == "volume") return ParseMaybeJsonToList(rest, node);
  if (lower == "run" || lower == "cmd" || lower == "entrypoint" || lower == "shell") return ParseMaybeJson(rest, node);
  if (lower == "from" || lower == "expose") {
    if (!rest.empty()) node->args = SplitWhitespace(rest);
    return Status::Ok();
  }
  if (lower == "maintainer" || lower == "user" || lower == "workdir" || lower == "stopsignal") {
    if (!rest.empty()) node->args.emplace_back(rest);
    return Status::Ok();
  }
  if (lower == "env") return ParseNameVal(rest, "ENV", escape, node);
  if (lower == "label") return ParseNameVal(rest, "LABEL", escape, node);
  if (lower == "arg") {
    node->args = ParseWords(rest, escape);
    return Status::Ok();
  }
  if (lower == "healthcheck") return ParseHealthConfig(rest, node);
  if (lower == "onbuild") {
    if (rest.empty()) return Status::Ok();
    if (depth >= 1) {
      // Only one level of nesting is representable; deeper chains are refused
      // here so hostile input cannot recurse.
      std::string_view inner_cmd, inner_rest;
      SplitOnce(TrimSpace(rest), &inner_cmd, &inner_rest);
      if (ToLower(inner_cmd) == "onbuild") {
        return InvalidArgumentError("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
      }
    }
    auto child = std::make_unique<Node>();
    RETURN_IF_ERROR(NodeFromLine(rest, escape, depth + 1, child.get()));
    node->trigger = std::move(child);
    return Status::Ok();
  }
  node->args.emplace_back();  // unknown instruction: one empty argument
  return Status::Ok();
}

bool CanContainHeredoc(const Node& node) {
  const Node* n = &node;
  if (ToLower(n->keyword) == "onbuild" && n->trigger) n = n->trigger.get();
  std::string lower = ToLower(n->keyword);
  if (lower != "run" && lower != "copy" && lower != "add") return false;
  return !n->json;
}

}  // namespace shale::frontend::internal
