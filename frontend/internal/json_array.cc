#include "frontend/internal/json_array.h"

#include "frontend/internal/text.h"
#include "frontend/limits.h"

namespace shale::frontend::internal {
namespace {

class JsonScanner {
 public:
  explicit JsonScanner(std::string_view s) : s_(s) {}

  void SkipWs() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }
  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  bool Consume(char c) {
    if (Peek() != c || AtEnd()) return false;
    ++pos_;
    return true;
  }

  static int Hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  bool Read4(char32_t* v) {
    if (pos_ + 4 > s_.size()) return false;
    char32_t r = 0;
    for (int i = 0; i < 4; ++i) {
      int h = Hex(s_[pos_ + i]);
      if (h < 0) return false;
      r = (r << 4) | static_cast<char32_t>(h);
    }
    pos_ += 4;
    *v = r;
    return true;
  }

  // Parses a string at '"'; appends the decoded value to out (if non-null).
  bool String(std::string* out) {
    if (!Consume('"')) return false;
    while (true) {
      if (AtEnd()) return false;
      unsigned char c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) return false;
      if (c == '\\') {
        ++pos_;
        if (AtEnd()) return false;
        char e = s_[pos_++];
        char32_t r;
        switch (e) {
          case '"': r = '"'; break;
          case '\\': r = '\\'; break;
          case '/': r = '/'; break;
          case 'b': r = '\b'; break;
          case 'f': r = '\f'; break;
          case 'n': r = '\n'; break;
          case 'r': r = '\r'; break;
          case 't': r = '\t'; break;
          case 'u': {
            if (!Read4(&r)) return false;
            if (r >= 0xD800 && r < 0xDC00) {
              // A surrogate pair, if the next escape completes it.
              size_t save = pos_;
              char32_t lo;
              if (pos_ + 1 < s_.size() && s_[pos_] == '\\' && s_[pos_ + 1] == 'u') {
                pos_ += 2;
                if (Read4(&lo) && lo >= 0xDC00 && lo < 0xE000) {
                  r = 0x10000 + ((r - 0xD800) << 10) + (lo - 0xDC00);
                } else {
                  pos_ = save;
                  r = kRuneError;
                }
              } else {
                r = kRuneError;
              }
            } else if (r >= 0xDC00 && r < 0xE000) {
              r = kRuneError;
            }
            break;
          }
          default:
            return false;
        }
        if (out) AppendRune(out, r);
        continue;
      }
      char32_t r;
      size_t w = DecodeRune(s_, pos_, &r);
      if (out) {
        if (r == kRuneError && w == 1) AppendRune(out, kRuneError);
        else out->append(s_.substr(pos_, w));
      }
      pos_ += w;
    }
  }

  bool Number() {
    Consume('-');
    if (Consume('0')) {
    } else if (Peek() >= '1' && Peek() <= '9') {
      while (Peek() >= '0' && Peek() <= '9' && !AtEnd()) ++pos_;
    } else {
      return false;
    }
    if (Consume('.')) {
      if (!(Peek() >= '0' && Peek() <= '9')) return false;
      while (Peek() >= '0' && Peek() <= '9' && !AtEnd()) ++pos_;
    }
    if (Peek() == 'e' || Peek() == 'E') {
      ++pos_;
      if (Peek() == '+' || Peek() == '-') ++pos_;
      if (!(Peek() >= '0' && Peek() <= '9')) return false;
      while (Peek() >= '0' && Peek() <= '9' && !AtEnd()) ++pos_;
    }
    return true;
  }

  bool Literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  size_t pos_ = 0;
  std::string_view s_;
};

}  // namespace

JsonArrayResult ParseJsonStringArray(std::string_view text, std::vector<std::string>* out) {
  std::string_view rest = TrimLeftSpace(text);
  if (rest.empty() || rest[0] != '[') return JsonArrayResult::kNotJson;
  JsonScanner sc(rest);
  std::vector<char> stack;  // open containers: '[' or '{'
  std::vector<std::string> strings;
  bool non_string = false;
  enum { kValue, kValueOrClose, kAfterValue } state = kValueOrClose;
  sc.SkipWs();
  if (!sc.Consume('[')) return JsonArrayResult::kNotJson;
  stack.push_back('[');
  while (!stack.empty()) {
    sc.SkipWs();
    char closer = stack.back() == '[' ? ']' : '}';
    if (state == kAfterValue) {
      if (sc.Consume(',')) {
        state = kValue;
      } else if (sc.Consume(closer)) {
        stack.pop_back();
      } else {
        return JsonArrayResult::kNotJson;
      }
      continue;
    }
    if (state == kValueOrClose && sc.Consume(closer)) {
      stack.pop_back();
      state = kAfterValue;
      continue;
    }
    if (stack.back() == '{') {
      if (!sc.String(nullptr)) return JsonArrayResult::kNotJson;
      sc.SkipWs();
      if (!sc.Consume(':')) return JsonArrayResult::kNotJson;
      sc.SkipWs();
    }
    bool top_level = stack.size() == 1;
    if (sc.AtEnd()) return JsonArrayResult::kNotJson;
    char c = sc.Peek();
    if (c == '[' || c == '{') {
      if (top_level) non_string = true;
      if (static_cast<int>(stack.size()) >= kMaxJsonDepth) return JsonArrayResult::kNotJson;
      ++sc.pos_;
      stack.push_back(c);
      state = kValueOrClose;
      continue;
    }
    if (c == '"') {
      std::string value;
      if (!sc.String(top_level ? &value : nullptr)) return JsonArrayResult::kNotJson;
      if (top_level) strings.push_back(std::move(value));
    } else if (c == 't' || c == 'f' || c == 'n') {
      if (!sc.Literal(c == 't' ? "true" : c == 'f' ? "false" : "null")) return JsonArrayResult::kNotJson;
      if (top_level) non_string = true;
    } else {
      if (!sc.Number()) return JsonArrayResult::kNotJson;
      if (top_level) non_string = true;
    }
    state = kAfterValue;
  }
  sc.SkipWs();
  if (!sc.AtEnd()) return JsonArrayResult::kNotJson;
  if (non_string) return JsonArrayResult::kNotStringArray;
  *out = std::move(strings);
  return JsonArrayResult::kOk;
}

}  // namespace shale::frontend::internal
