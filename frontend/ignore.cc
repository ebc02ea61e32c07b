#include "frontend/ignore.h"

#include <re2/re2.h>
#include <re2/set.h>

#include "base/text.h"
#include "frontend/internal/text.h"
#include "frontend/limits.h"

namespace shale::frontend {
namespace {

enum class MatchType { kExact, kPrefix, kSuffix, kRegexp };

struct Pattern {
  std::string cleaned;
  bool exception = false;
  MatchType type = MatchType::kExact;
  std::unique_ptr<RE2> re;  // matches the path or one of its ancestors
  int set_index = -1;       // position in Impl::set
  // For CanSkipDir: per-component regexes up to the first component holding
  // `**` (wild_from); components from wild_from on are not checked.
  std::vector<std::unique_ptr<RE2>> components;
  size_t wild_from = 0;
  size_t num_components = 0;
};

bool ShouldEscape(char32_t c) {
  return c == '.' || c == '+' || c == '(' || c == ')' || c == '|' || c == '{' || c == '}' || c == '$';
}

// Go's filepath.Match syntax rules (Unix), used only to reject bad patterns.
Status ValidateGlob(std::string_view p) {
  const Status bad = InvalidArgumentError("syntax error in pattern");
  size_t i = 0;
  auto get_esc = [&](size_t* pos) -> bool {
    if (*pos >= p.size() || p[*pos] == '-' || p[*pos] == ']') return false;
    if (p[*pos] == '\\') {
      ++*pos;
      if (*pos >= p.size()) return false;
    }
    char32_t r;
    size_t w = internal::DecodeRune(p, *pos, &r);
    if (r == internal::kRuneError && w == 1) return false;
    *pos += w;
    return *pos < p.size();
  };
  while (i < p.size()) {
    char c = p[i];
    if (c == '[') {
      ++i;
      if (i < p.size() && p[i] == '^') ++i;
      int nrange = 0;
      while (true) {
        if (i < p.size() && p[i] == ']' && nrange > 0) {
          ++i;
          break;
        }
        if (!get_esc(&i)) return bad;
        if (p[i] == '-') {
          ++i;
          if (!get_esc(&i)) return bad;
        }
        ++nrange;
      }
    } else if (c == '\\') {
      i += 2;
      if (i > p.size()) return bad;
    } else {
      ++i;
    }
  }
  return Status::Ok();
}

// Builds the anchored regex of a pattern (or of one path component) and its
// match type, the way moby/patternmatcher does.
std::string PatternRegex(std::string_view pattern, MatchType* type) {
  std::string re = "^";
  *type = MatchType::kExact;
  size_t i = 0;
  int index = 0;
  while (i < pattern.size()) {
    char32_t ch;
    size_t w = internal::DecodeRune(pattern, i, &ch);
    std::string_view bytes = pattern.substr(i, w);
    i += w;
    if (ch == '*') {
      if (i < pattern.size() && pattern[i] == '*') {
        ++i;
        if (i < pattern.size() && pattern[i] == '/') ++i;
        if (i >= pattern.size()) {
          if (*type == MatchType::kExact) {
            *type = MatchType::kPrefix;
          } else {
            re += ".*";
            *type = MatchType::kRegexp;
          }
        } else {
          re += "(.*/)?";
          *type = MatchType::kRegexp;
        }
        if (index == 0) *type = MatchType::kSuffix;
      } else {
        re += "[^/]*";
        *type = MatchType::kRegexp;
      }
    } else if (ch == '?') {
      re += "[^/]";
      *type = MatchType::kRegexp;
    } else if (ShouldEscape(ch)) {
      re += "\\";
      re.append(bytes);
    } else if (ch == '\\') {
      if (i < pattern.size()) {
        char32_t next;
        size_t w2 = internal::DecodeRune(pattern, i, &next);
        re += "\\";
        re.append(pattern.substr(i, w2));
        i += w2;
        *type = MatchType::kRegexp;
      } else {
        re += "\\\\";
      }
    } else if (ch == '[' || ch == ']') {
      re.append(bytes);
      *type = MatchType::kRegexp;
    } else {
      re.append(bytes);
    }
    ++index;
  }
  re += "$";
  return re;
}

Result<std::unique_ptr<RE2>> CompileRe(const std::string& regex, std::string_view pattern) {
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_unique<RE2>(regex, options);
  if (!re->ok()) {
    return InvalidArgumentError("bad ignore pattern " + internal::GoQuote(pattern) + ": " + re->error());
  }
  return re;
}

// True when the pattern matches `path` or one of its ancestors ("a",
// "a/b", ... - the prefixes of path that end before a '/'). Regexp patterns
// are answered by `regex_hit` (one RE2::Set pass over the path).
bool MatchWithParents(const Pattern& p, std::string_view path, bool regex_hit) {
  switch (p.type) {
    case MatchType::kExact: {
      const std::string& c = p.cleaned;
      return path.substr(0, c.size()) == c && (path.size() == c.size() || path[c.size()] == '/');
    }
    case MatchType::kPrefix: {
      std::string_view pre = std::string_view(p.cleaned).substr(0, p.cleaned.size() - 2);
      return path.substr(0, pre.size()) == pre;
    }
    case MatchType::kSuffix: {
      std::string_view suffix = std::string_view(p.cleaned).substr(2);
      size_t end = path.size();
      while (true) {
        std::string_view candidate = path.substr(0, end);
        if (candidate.size() >= suffix.size() && candidate.substr(candidate.size() - suffix.size()) == suffix) {
          return true;
        }
        if (!suffix.empty() && suffix[0] == '/' && candidate == suffix.substr(1)) return true;
        if (end == 0) return false;
        size_t slash = path.rfind('/', end - 1);
        if (slash == std::string_view::npos) return false;
        end = slash;
      }
    }
    case MatchType::kRegexp:
      return regex_hit;
  }
  return false;
}

std::vector<std::string_view> SplitSlash(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (true) {
    size_t j = s.find('/', i);
    out.push_back(s.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i));
    if (j == std::string_view::npos) break;
    i = j + 1;
  }
  return out;
}

}  // namespace

struct IgnoreMatcher::Impl {
  std::vector<Pattern> patterns;
  bool has_exceptions = false;
  // All regexp patterns in one automaton; null when it could not be built
  // (then each pattern's own regex is used).
  std::unique_ptr<RE2::Set> set;
  int set_size = 0;
};

IgnoreMatcher::IgnoreMatcher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
IgnoreMatcher::IgnoreMatcher(IgnoreMatcher&&) noexcept = default;
IgnoreMatcher& IgnoreMatcher::operator=(IgnoreMatcher&&) noexcept = default;
IgnoreMatcher::~IgnoreMatcher() = default;

std::string CleanPath(std::string_view path) {
  if (path.empty()) return ".";
  bool rooted = path[0] == '/';
  std::vector<std::string_view> parts;
  for (std::string_view part : PathComponents(path)) {
    if (part == ".") continue;
    if (part == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else if (!rooted) {
        parts.push_back(part);
      }
      continue;
    }
    parts.push_back(part);
  }
  std::string out = rooted ? "/" : "";
  for (size_t k = 0; k < parts.size(); ++k) {
    if (k) out.push_back('/');
    out.append(parts[k]);
  }
  if (out.empty()) return ".";
  return out;
}

Result<IgnoreMatcher> IgnoreMatcher::Compile(const std::vector<std::string>& raw_patterns) {
  if (raw_patterns.size() > kMaxIgnorePatterns) {
    return ResourceExhaustedError("more than " + std::to_string(kMaxIgnorePatterns) + " ignore patterns");
  }
  auto impl = std::make_unique<Impl>();
  for (const std::string& raw : raw_patterns) {
    std::string_view trimmed = internal::TrimSpace(raw);
    if (trimmed.empty()) continue;
    Pattern p;
    std::string cleaned = CleanPath(trimmed);
    if (cleaned[0] == '!') {
      if (cleaned.size() == 1) return InvalidArgumentError("illegal exclusion pattern: \"!\"");
      p.exception = true;
      cleaned.erase(0, 1);
      impl->has_exceptions = true;
    }
    Status valid = ValidateGlob(cleaned);
    if (!valid.ok()) return InvalidArgumentError("bad ignore pattern " + internal::GoQuote(raw) + ": syntax error in pattern");
    p.cleaned = cleaned;
    std::string regex = PatternRegex(cleaned, &p.type);
    if (p.type == MatchType::kRegexp) {
      ASSIGN_OR_RETURN(auto plain, CompileRe(regex, raw));  // reports errors against the pattern itself
      regex.pop_back();                                      // "$"
      regex += "(?:/(?s:.*))?$";                             // ... or an ancestor of the path
      ASSIGN_OR_RETURN(p.re, CompileRe(regex, raw));
      p.set_index = impl->set_size++;
    }
    if (p.exception) {
      std::vector<std::string_view> comps = SplitSlash(cleaned);
      p.num_components = comps.size();
      p.wild_from = comps.size();
      for (size_t k = 0; k < comps.size(); ++k) {
        if (comps[k].find("**") != std::string_view::npos) {
          p.wild_from = k;
          break;
        }
        MatchType t;
        ASSIGN_OR_RETURN(auto re, CompileRe(PatternRegex(comps[k], &t), raw));
        p.components.push_back(std::move(re));
      }
    }
    impl->patterns.push_back(std::move(p));
  }
  if (impl->set_size > 0) {
    RE2::Options options;
    options.set_log_errors(false);
    options.set_max_mem(64 << 20);
    auto set = std::make_unique<RE2::Set>(options, RE2::ANCHOR_BOTH);
    bool ok = true;
    for (const Pattern& p : impl->patterns) {
      if (p.type != MatchType::kRegexp) continue;
      if (set->Add(p.re->pattern(), nullptr) < 0) ok = false;
    }
    if (ok && set->Compile()) impl->set = std::move(set);
  }
  return IgnoreMatcher(std::move(impl));
}

bool IgnoreMatcher::Matches(std::string_view path) const {
  std::vector<int> hits;
  bool set_used = false;
  if (impl_->set) {
    std::vector<int> found;
    RE2::Set::ErrorInfo info;
    if (impl_->set->Match(re2::StringPiece(path.data(), path.size()), &found, &info)) {
      hits.assign(static_cast<size_t>(impl_->set_size), 0);
      for (int i : found) hits[static_cast<size_t>(i)] = 1;
      set_used = true;
    } else if (info.kind == RE2::Set::kNoError) {
      hits.assign(static_cast<size_t>(impl_->set_size), 0);
      set_used = true;
    }
  }
  bool matched = false;
  for (const Pattern& p : impl_->patterns) {
    if (p.exception != matched) continue;
    bool regex_hit = false;
    if (p.type == MatchType::kRegexp) {
      regex_hit = set_used ? hits[static_cast<size_t>(p.set_index)] != 0
                           : RE2::FullMatch(re2::StringPiece(path.data(), path.size()), *p.re);
    }
    if (MatchWithParents(p, path, regex_hit)) matched = !p.exception;
  }
  return matched;
}

bool IgnoreMatcher::HasExceptions() const { return impl_->has_exceptions; }
size_t IgnoreMatcher::size() const { return impl_->patterns.size(); }

bool IgnoreMatcher::CanSkipDir(std::string_view dir) const {
  if (!Matches(dir)) return false;
  if (!impl_->has_exceptions) return true;
  std::string cleaned = CleanPath(dir);
  std::vector<std::string_view> dirs = SplitSlash(cleaned);
  for (const Pattern& p : impl_->patterns) {
    if (!p.exception) continue;
    // Without `**` the pattern matches paths of exactly num_components
    // components, so nothing strictly below a directory that deep.
    if (p.wild_from == p.num_components && p.num_components <= dirs.size()) continue;
    bool compatible = true;
    for (size_t k = 0; k < dirs.size() && k < p.wild_from; ++k) {
      if (!RE2::FullMatch(re2::StringPiece(dirs[k].data(), dirs[k].size()), *p.components[k])) {
        compatible = false;
        break;
      }
    }
    if (compatible) return false;
  }
  return true;
}

std::vector<std::string> IgnoreFileCandidates(const IgnoreFileQuery& q) {
  std::vector<std::string> out;
  if (!q.ignorefile.empty()) {
    out.push_back(q.ignorefile);
    return out;
  }
  auto join = [](const std::string& dir, const std::string& name) {
    if (dir.empty()) return name;
    return dir.back() == '/' ? dir + name : dir + "/" + name;
  };
  if (!q.containerfile.empty()) {
    std::string cf = q.containerfile[0] == '/' ? q.containerfile : join(q.context_dir, q.containerfile);
    out.push_back(cf + ".containerignore");
    out.push_back(cf + ".dockerignore");
  }
  out.push_back(join(q.context_dir, ".containerignore"));
  out.push_back(join(q.context_dir, ".dockerignore"));
  return out;
}

std::string ChooseIgnoreFile(const IgnoreFileQuery& query, const std::function<bool(const std::string&)>& exists) {
  if (!query.ignorefile.empty()) return query.ignorefile;
  for (const std::string& candidate : IgnoreFileCandidates(query)) {
    if (exists(candidate)) return candidate;
  }
  return "";
}

Result<std::vector<std::string>> ReadIgnorePatterns(std::string_view text) {
  std::vector<std::string> out;
  size_t pos = 0;
  bool first = true;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    if (first && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
    first = false;
    if (!line.empty() && line[0] == '#') continue;
    std::string_view pattern = internal::TrimSpace(line);
    if (pattern.empty()) continue;
    bool invert = pattern[0] == '!';
    if (invert) pattern = internal::TrimSpace(pattern.substr(1));
    std::string cleaned;
    if (!pattern.empty()) {
      cleaned = CleanPath(pattern);
      if (cleaned.size() > 1 && cleaned[0] == '/') cleaned.erase(0, 1);
    }
    if (invert) cleaned.insert(0, "!");
    if (out.size() >= kMaxIgnorePatterns) {
      return ResourceExhaustedError("ignore file has more than " + std::to_string(kMaxIgnorePatterns) + " patterns");
    }
    out.push_back(std::move(cleaned));
  }
  return out;
}

}  // namespace shale::frontend
