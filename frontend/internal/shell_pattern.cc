#include "frontend/internal/shell_pattern.h"

#include <re2/re2.h>

#include <memory>
#include <vector>

#include "frontend/internal/text.h"

namespace shale::frontend::internal {
namespace {

Result<std::unique_ptr<RE2>> Compile(std::string_view pattern, bool greedy, bool anchored) {
  ASSIGN_OR_RETURN(std::string regex, PatternToRegex(pattern, greedy, anchored));
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(64 << 20);
  auto re = std::make_unique<RE2>(regex, options);
  if (!re->ok()) {
    return InvalidArgumentError("invalid pattern (" + std::string(pattern) + ") in substitution: " + re->error());
  }
  return re;
}

// Splits s into runes (invalid bytes are their own unit).
std::vector<std::string_view> Runes(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    char32_t r;
    size_t w = DecodeRune(s, i, &r);
    out.push_back(s.substr(i, w));
    i += w;
  }
  return out;
}

std::string ReverseRunes(std::string_view s) {
  std::vector<std::string_view> runes = Runes(s);
  std::string out;
  out.reserve(s.size());
  for (auto it = runes.rbegin(); it != runes.rend(); ++it) out.append(*it);
  return out;
}

// Reverses a pattern keeping each backslash in front of the rune it escapes.
std::string ReversePattern(std::string_view pattern) {
  std::vector<std::string_view> runes = Runes(pattern);
  std::vector<std::string> units;
  for (size_t i = 0; i < runes.size(); ++i) {
    if (runes[i] == "\\" && i + 1 < runes.size()) {
      units.push_back(std::string(runes[i]) + std::string(runes[i + 1]));
      ++i;
    } else {
      units.emplace_back(runes[i]);
    }
  }
  std::string out;
  for (auto it = units.rbegin(); it != units.rend(); ++it) out += *it;
  return out;
}

}  // namespace

Result<std::string> PatternToRegex(std::string_view pattern, bool greedy, bool anchored) {
  std::string out;
  out.reserve(pattern.size() + 8);
  if (anchored) out.push_back('^');
  size_t i = 0;
  while (i < pattern.size()) {
    char32_t r;
    size_t w = DecodeRune(pattern, i, &r);
    std::string_view bytes = pattern.substr(i, w);
    i += w;
    switch (r) {
      case '*':
        out += greedy ? ".*" : ".*?";
        continue;
      case '?':
        out.push_back('.');
        continue;
      case '\\': {
        if (i < pattern.size() && (pattern[i] == '}' || pattern[i] == '/')) continue;
        if (i >= pattern.size()) return InvalidArgumentError("invalid pattern (" + std::string(pattern) + ") in substitution: invalid escape '\\'");
        char c = pattern[i];
        if (c != '*' && c != '?' && c != '\\') {
          size_t w2 = DecodeRune(pattern, i, &r);
          return InvalidArgumentError("invalid pattern (" + std::string(pattern) +
                                      ") in substitution: invalid escape '\\" + std::string(pattern.substr(i, w2)) + "'");
        }
        out.push_back('\\');
        out.push_back(c);
        ++i;
        continue;
      }
      case '[': case ']': case '{': case '}': case '.': case '+': case '(': case ')':
      case '|': case '^': case '$':
        out.push_back('\\');
        break;
      default:
        break;
    }
    out.append(bytes);
  }
  return out;
}

Result<std::string> TrimPrefixPattern(std::string_view pattern, const std::string& value, bool greedy) {
  ASSIGN_OR_RETURN(auto re, Compile(pattern, greedy, true));
  re2::StringPiece match;
  if (re->Match(value, 0, value.size(), RE2::ANCHOR_START, &match, 1)) {
    return value.substr(static_cast<size_t>(match.data() - value.data()) + match.size());
  }
  return value;
}

Result<std::string> TrimSuffixPattern(std::string_view pattern, const std::string& value, bool greedy) {
  // A leftmost match on the reversed text finds the shortest/longest suffix.
  std::string reversed_pattern = ReversePattern(pattern);
  std::string reversed_value = ReverseRunes(value);
  ASSIGN_OR_RETURN(std::string trimmed, TrimPrefixPattern(reversed_pattern, reversed_value, greedy));
  return ReverseRunes(trimmed);
}

Result<std::string> ReplacePattern(std::string_view pattern, std::string_view replacement,
                                   const std::string& value, bool all, size_t max_output) {
  ASSIGN_OR_RETURN(auto re, Compile(pattern, true, false));
  std::string out;
  size_t pos = 0;
  size_t copied = 0;  // value[0, copied) is already in out
  long last_end = -1;
  while (pos <= value.size()) {
    re2::StringPiece m;
    if (!re->Match(value, pos, value.size(), RE2::UNANCHORED, &m, 1)) break;
    size_t a = static_cast<size_t>(m.data() - value.data());
    size_t b = a + m.size();
    bool skip = (a == b && static_cast<long>(a) == last_end);  // empty match right after a match
    if (!skip) {
      out.append(value, copied, a - copied);
      out.append(replacement);
      copied = b;
      last_end = static_cast<long>(b);
      if (out.size() > max_output) {
        return ResourceExhaustedError("variable expansion output exceeds the cap of " +
                                      std::to_string(max_output) + " bytes");
      }
      if (!all) break;
    }
    if (b > a && !skip) {
      pos = b;
    } else {
      if (a >= value.size()) break;
      char32_t r;
      pos = a + DecodeRune(value, a, &r);
    }
  }
  out.append(value, copied, std::string::npos);
  if (out.size() > max_output) {
    return ResourceExhaustedError("variable expansion output exceeds the cap of " +
                                  std::to_string(max_output) + " bytes");
  }
  return out;
}

}  // namespace shale::frontend::internal
