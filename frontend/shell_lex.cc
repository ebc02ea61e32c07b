#include "frontend/shell_lex.h"

#include <string>
#include <utility>

#include "frontend/internal/shell_pattern.h"
#include "frontend/internal/text.h"

namespace shale::frontend {
namespace {

using internal::DecodeRune;
using internal::IsUnicodeDigit;
using internal::IsUnicodeLetter;
using internal::IsUnicodeSpace;
using internal::kRuneError;

// Collects words the way the BuildKit lexer does: characters that came from
// quotes or escapes are "raw" (never split); plain characters and expansion
// results split on white space.
class WordCollector {
 public:
  void AddChar(char32_t r, std::string_view bytes) {
    if (IsUnicodeSpace(r)) {
      if (in_word_ && !word_.empty()) {
        words_.push_back(std::move(word_));
        word_.clear();
        in_word_ = false;
      }
      return;
    }
    AddRaw(bytes);
  }
  void AddRaw(std::string_view bytes) {
    word_.append(bytes);
    in_word_ = true;
  }
  void AddString(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
      char32_t r;
      size_t w = DecodeRune(s, i, &r);
      AddChar(r, s.substr(i, w));
      i += w;
    }
  }
  std::vector<std::string> Finish() {
    if (!word_.empty()) words_.push_back(std::move(word_));
    return std::move(words_);
  }

 private:
  std::string word_;
  std::vector<std::string> words_;
  bool in_word_ = false;
};

class Lexer {
 public:
  Lexer(std::string_view in, const VarLookup& lookup, const ShellLexOptions& opt, Expansion* out)
      : in_(in), lookup_(lookup), opt_(opt), out_(out), raw_escapes_(opt.raw_escapes) {}

  Status Run() {
    std::string word;
    std::vector<std::string> words;
    RETURN_IF_ERROR(ProcessStopOn(kEof, raw_escapes_, &word, &words));
    out_->word = std::move(word);
    out_->words = std::move(words);
    return Status::Ok();
  }

 private:
  static constexpr int kEof = -1;

  int Peek() const { return pos_ < in_.size() ? static_cast<unsigned char>(in_[pos_]) : kEof; }
  // Consumes one rune; returns its bytes (empty at end).
  std::string_view Next(char32_t* r = nullptr) {
    if (pos_ >= in_.size()) return {};
    char32_t rune;
    size_t w = DecodeRune(in_, pos_, &rune);
    std::string_view bytes = in_.substr(pos_, w);
    pos_ += w;
    if (r) *r = rune;
    return bytes;
  }

  Status CheckSize(const std::string& s) const {
    if (s.size() > opt_.max_output) {
      return ResourceExhaustedError("variable expansion output exceeds the cap of " +
                                    std::to_string(opt_.max_output) + " bytes");
    }
    return Status::Ok();
  }

  Status ProcessStopOn(int stop, bool raw_escapes, std::string* result,
                       std::vector<std::string>* words_out) {
    if (++depth_ > kMaxExpansionDepth) {
      return ResourceExhaustedError("variable expansion nested deeper than " +
                                    std::to_string(kMaxExpansionDepth) + " levels");
    }
    bool saved_raw = raw_escapes_;
    raw_escapes_ = raw_escapes;
    WordCollector words;
    Status status = Status::Ok();
    bool stopped = false;
    while (Peek() != kEof) {
      int ch = Peek();
      if (stop != kEof && ch == stop) {
        ++pos_;
        stopped = true;
        break;
      }
      bool quote = !opt_.skip_quotes && (ch == '\'' || ch == '"');
      if (!opt_.want_words && !quote && ch != '$' && ch != '<' && ch != static_cast<unsigned char>(opt_.escape)) {
        // A run of ordinary bytes: copy it at once.
        size_t end = pos_ + 1;
        while (end < in_.size() && !IsSpecial(static_cast<unsigned char>(in_[end]), stop)) ++end;
        result->append(in_.substr(pos_, end - pos_));
        pos_ = end;
        status = CheckSize(*result);
        if (!status.ok()) break;
        continue;
      }
      if (ch == '$' || ch == '<' || quote) {
        std::string tmp;
        if (ch == '$') status = ProcessDollar(&tmp);
        else if (ch == '<') ProcessPossibleHeredoc(&tmp);
        else if (ch == '\'') status = ProcessSingleQuote(&tmp);
        else status = ProcessDoubleQuote(&tmp);
        if (!status.ok()) break;
        result->append(tmp);
        if (ch == '$') words.AddString(tmp);
        else words.AddRaw(tmp);
      } else {
        char32_t r;
        std::string_view bytes = Next(&r);
        if (ch == static_cast<unsigned char>(opt_.escape)) {
          if (raw_escapes_) {
            words.AddRaw(bytes);
            result->append(bytes);
          }
          bytes = Next(&r);
          if (bytes.empty()) break;  // escape at the end is dropped
          words.AddRaw(bytes);
        } else {
          words.AddChar(r, bytes);
        }
        result->append(bytes);
      }
      status = CheckSize(*result);
      if (!status.ok()) break;
    }
    raw_escapes_ = saved_raw;
    --depth_;
    if (!status.ok()) return status;
    if (stop != kEof && !stopped) {
      return InvalidArgumentError(std::string("unexpected end of statement while looking for matching ") +
                                  static_cast<char>(stop));
    }
    if (words_out) *words_out = words.Finish();
    return Status::Ok();
  }

  // `<<` followed by blanks stays one raw unit so heredoc words such as
  // "<<  EOF" are not split.
  void ProcessPossibleHeredoc(std::string* out) {
    ++pos_;
    out->push_back('<');
    if (Peek() != '<') return;
    ++pos_;
    out->push_back('<');
    if (Peek() == '-' && pos_ + 1 < in_.size() && (in_[pos_ + 1] == ' ' || in_[pos_ + 1] == '\t')) {
      ++pos_;
      out->push_back('-');
    }
    while (Peek() == ' ' || Peek() == '\t') {
      out->push_back(static_cast<char>(Peek()));
      ++pos_;
    }
  }

  Status ProcessSingleQuote(std::string* out) {
    ++pos_;
    if (opt_.raw_quotes) out->push_back('\'');
    size_t end = in_.find('\'', pos_);
    if (end == std::string_view::npos) {
      return InvalidArgumentError("unexpected end of statement while looking for matching single-quote");
    }
    out->append(in_.substr(pos_, end - pos_));
    pos_ = end + 1;
    if (opt_.raw_quotes) out->push_back('\'');
    return Status::Ok();
  }

  Status ProcessDoubleQuote(std::string* out) {
    ++pos_;
    if (opt_.raw_quotes) out->push_back('"');
    const int esc = static_cast<unsigned char>(opt_.escape);
    while (true) {
      int ch = Peek();
      if (ch == kEof) {
        return InvalidArgumentError("unexpected end of statement while looking for matching double-quote");
      }
      if (ch == '"') {
        ++pos_;
        if (opt_.raw_quotes) out->push_back('"');
        return Status::Ok();
      }
      if (ch == '$') {
        std::string value;
        RETURN_IF_ERROR(ProcessDollar(&value));
        out->append(value);
      } else {
        ++pos_;
        if (ch == esc) {
          int next = Peek();
          if (next == kEof) continue;  // escape at the end of the word is dropped
          if (next == '"' || next == '$' || next == esc) {
            if (raw_escapes_) out->push_back(static_cast<char>(ch));
            out->push_back(static_cast<char>(next));
            ++pos_;
            RETURN_IF_ERROR(CheckSize(*out));
            continue;
          }
        }
        out->push_back(static_cast<char>(ch));
      }
      RETURN_IF_ERROR(CheckSize(*out));
    }
  }

  std::string ProcessName() {
    std::string name;
    while (pos_ < in_.size()) {
      char32_t r;
      size_t w = DecodeRune(in_, pos_, &r);
      bool valid = !(r == kRuneError && w == 1);
      if (name.empty() && valid && IsUnicodeDigit(r)) {
        while (pos_ < in_.size()) {
          w = DecodeRune(in_, pos_, &r);
          if (!IsUnicodeDigit(r)) break;
          name.append(in_.substr(pos_, w));
          pos_ += w;
        }
        return name;
      }
      if (name.empty()) {
        switch (r) {
          case '@': case '*': case '#': case '?': case '-': case '$': case '!': case '0':
            ++pos_;
            return std::string(1, static_cast<char>(r));
          default:
            break;
        }
      }
      if (!valid || (!IsUnicodeLetter(r) && !IsUnicodeDigit(r) && r != '_')) break;
      name.append(in_.substr(pos_, w));
      pos_ += w;
    }
    return name;
  }

  const std::string* GetEnv(const std::string& name) {
    const std::string* v = lookup_ ? lookup_(name) : nullptr;
    if (opt_.record_matches) {
      if (v) out_->matched.insert(name);
      else out_->unmatched.insert(name);
    }
    return v;
  }

  bool IsSpecial(unsigned char c, int stop) const {
    return c == '$' || c == '<' || c == static_cast<unsigned char>(opt_.escape) || static_cast<int>(c) == stop ||
           (!opt_.skip_quotes && (c == '\'' || c == '"'));
  }

  Status ProcessDollar(std::string* out) {
    ++pos_;  // '$'
    if (Peek() != '{') {
      std::string name = ProcessName();
      if (name.empty()) {
        out->assign("$");
        return Status::Ok();
      }
      const std::string* v = GetEnv(name);
      if (!v && opt_.skip_unset) out->assign("$" + name);
      else if (v) out->assign(*v);
      return Status::Ok();
    }
    ++pos_;  // '{'
    int first = Peek();
    if (first == kEof) return InvalidArgumentError("syntax error: missing '}'");
    if (first == '{' || first == '}' || first == ':') return InvalidArgumentError("syntax error: bad substitution");
    std::string name = ProcessName();
    char32_t r = 0;
    std::string_view op_bytes = Next(&r);
    if (op_bytes.empty()) return InvalidArgumentError("syntax error: missing '}'");
    std::string chs(op_bytes);
    if (r == '}') {
      const std::string* v = GetEnv(name);
      if (!v && opt_.skip_unset) out->assign("${" + name + "}");
      else if (v) out->assign(*v);
      return Status::Ok();
    }
    bool null_is_unset = false;
    if (r == ':') {
      null_is_unset = true;
      op_bytes = Next(&r);
      if (op_bytes.empty()) return InvalidArgumentError("syntax error: missing '}'");
      chs.append(op_bytes);
    }
    if (r == '/' && !null_is_unset) return ProcessReplace(name, out);
    if (r != '+' && r != '-' && r != '?' && r != '#' && r != '%') {
      return InvalidArgumentError("unsupported modifier (" + chs + ") in substitution");
    }
    bool pattern_op = r == '#' || r == '%';
    if (null_is_unset && pattern_op) {
      return InvalidArgumentError("unsupported modifier (" + chs + ") in substitution");
    }
    std::string word;
    Status st = ProcessStopOn('}', pattern_op, &word, nullptr);
    if (!st.ok()) {
      if (Peek() == kEof && st.code() == StatusCode::kInvalidArgument) {
        return InvalidArgumentError("syntax error: missing '}'");
      }
      return st;
    }
    const std::string* v = GetEnv(name);
    if (!v && opt_.skip_unset) {
      out->assign("${" + name + chs + word + "}");
      return Status::Ok();
    }
    bool empty_or_unset = !v || (null_is_unset && v->empty());
    switch (r) {
      case '-':
        out->assign(empty_or_unset ? word : *v);
        return Status::Ok();
      case '+':
        out->assign(empty_or_unset ? std::string() : word);
        return Status::Ok();
      case '?':
        if (!v) return InvalidArgumentError(name + ": " + (word.empty() ? "is not allowed to be unset" : word));
        if (null_is_unset && v->empty()) {
          return InvalidArgumentError(name + ": " + (word.empty() ? "is not allowed to be empty" : word));
        }
        out->assign(*v);
        return Status::Ok();
      default: {  // '#' or '%'
        bool greedy = false;
        std::string_view pattern = word;
        if (!pattern.empty() && pattern[0] == static_cast<char>(r)) {
          greedy = true;
          pattern.remove_prefix(1);
        }
        std::string value = v ? *v : std::string();
        Result<std::string> trimmed = r == '#' ? internal::TrimPrefixPattern(pattern, value, greedy)
                                               : internal::TrimSuffixPattern(pattern, value, greedy);
        if (!trimmed.ok()) return trimmed.status();
        *out = std::move(trimmed).value();
        return Status::Ok();
      }
    }
  }

  Status ProcessReplace(const std::string& name, std::string* out) {
    bool all = Peek() == '/';
    if (all) ++pos_;
    std::string pattern, replacement;
    Status st = ProcessStopOn('/', true, &pattern, nullptr);
    if (!st.ok()) {
      if (Peek() == kEof && st.code() == StatusCode::kInvalidArgument) {
        return InvalidArgumentError("syntax error: missing '/' in ${}");
      }
      return st;
    }
    st = ProcessStopOn('}', true, &replacement, nullptr);
    if (!st.ok()) {
      if (Peek() == kEof && st.code() == StatusCode::kInvalidArgument) {
        return InvalidArgumentError("syntax error: missing '}'");
      }
      return st;
    }
    const std::string* v = GetEnv(name);
    if (!v && opt_.skip_unset) {
      out->assign("${" + name + (all ? "//" : "/") + pattern + "/" + replacement + "}");
      return Status::Ok();
    }
    ASSIGN_OR_RETURN(*out, internal::ReplacePattern(pattern, replacement, v ? *v : std::string(), all,
                                                    opt_.max_output));
    return Status::Ok();
  }

  std::string_view in_;
  const VarLookup& lookup_;
  const ShellLexOptions& opt_;
  Expansion* out_;
  bool raw_escapes_;
  size_t pos_ = 0;
  int depth_ = 0;
};

bool NeedsLexing(std::string_view input, const ShellLexOptions& o) {
  for (char c : input) {
    if (c == '$' || c == '<' || c == o.escape || (!o.skip_quotes && (c == '\'' || c == '"'))) return true;
  }
  return false;
}

}  // namespace

Result<Expansion> Expand(std::string_view input, const VarLookup& lookup, const ShellLexOptions& options) {
  Expansion out;
  if (!NeedsLexing(input, options)) {
    if (input.size() > options.max_output) {
      return ResourceExhaustedError("failed to process: variable expansion output exceeds the cap of " +
                                    std::to_string(options.max_output) + " bytes");
    }
    out.word = std::string(input);
    if (options.want_words) {
      WordCollector words;
      words.AddString(input);
      out.words = words.Finish();
    }
    return out;
  }
  Lexer lexer(input, lookup, options, &out);
  Status st = lexer.Run();
  if (!st.ok()) {
    std::string shown(input.substr(0, 200));
    if (input.size() > 200) shown += "...";
    return Status(st.code(), "failed to process " + internal::GoQuote(shown) + ": " + st.message());
  }
  return out;
}

Result<std::string> ExpandWord(std::string_view input, const VarLookup& lookup, const ShellLexOptions& options) {
  ShellLexOptions o = options;
  o.want_words = false;
  o.record_matches = false;
  ASSIGN_OR_RETURN(Expansion e, Expand(input, lookup, o));
  return std::move(e.word);
}

Result<std::vector<std::string>> ExpandWords(std::string_view input, const VarLookup& lookup,
                                             const ShellLexOptions& options) {
  ShellLexOptions o = options;
  o.record_matches = false;
  ASSIGN_OR_RETURN(Expansion e, Expand(input, lookup, o));
  return std::move(e.words);
}

Result<std::string> ShellPatternToRegex(std::string_view pattern, bool greedy, bool anchored) {
  return internal::PatternToRegex(pattern, greedy, anchored);
}

}  // namespace shale::frontend
