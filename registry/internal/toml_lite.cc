#include "registry/internal/toml_lite.h"

#include <cctype>
#include <string>
#include <vector>

namespace shale::internal {
namespace {

using json = nlohmann::json;

constexpr int kMaxDepth = 32;
constexpr size_t kMaxArrayItems = 10000;

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  Result<json> Run() {
    json root = json::object();
    json* table = &root;
    while (true) {
      SkipBlankLines();
      if (AtEnd()) break;
      if (Peek() == '[') {
        bool array = s_.substr(pos_, 2) == "[[";
        pos_ += array ? 2 : 1;
        std::vector<std::string> keys;
        RETURN_IF_ERROR(ParseKey(keys));
        SkipSpaces();
        if (array ? s_.substr(pos_, 2) != "]]" : Peek() != ']') return Error("expected ']'");
        pos_ += array ? 2 : 1;
        RETURN_IF_ERROR(EndOfLine());
        ASSIGN_OR_RETURN(table, OpenTable(root, keys, array));
        continue;
      }
      std::vector<std::string> keys;
      RETURN_IF_ERROR(ParseKey(keys));
      SkipSpaces();
      if (Peek() != '=') return Error("expected '=' after key");
      ++pos_;
      SkipSpaces();
      ASSIGN_OR_RETURN(json value, ParseValue(0));
      RETURN_IF_ERROR(Assign(*table, keys, std::move(value)));
      RETURN_IF_ERROR(EndOfLine());
    }
    return root;
  }

 private:
  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek() const { return AtEnd() ? '\0' : s_[pos_]; }

  Status Error(const std::string& what) const {
    int line = 1;
    for (size_t i = 0; i < pos_ && i < s_.size(); ++i)
      if (s_[i] == '\n') ++line;
    return InvalidArgumentError("line " + std::to_string(line) + ": " + what);
  }

  void SkipSpaces() {
    while (!AtEnd() && (Peek() == ' ' || Peek() == '\t')) ++pos_;
  }
  void SkipComment() {
    if (Peek() == '#')
      while (!AtEnd() && Peek() != '\n') ++pos_;
  }
  // Skips whitespace, newlines and comments.
  void SkipBlankLines() {
    while (!AtEnd()) {
      SkipSpaces();
      SkipComment();
      if (Peek() == '\n' || Peek() == '\r') {
        ++pos_;
        continue;
      }
      break;
    }
  }
  Status EndOfLine() {
    SkipSpaces();
    SkipComment();
    if (Peek() == '\r') ++pos_;
    if (AtEnd()) return Status::Ok();
    if (Peek() != '\n') return Error("unexpected text after value");
    ++pos_;
    return Status::Ok();
  }

  Status ParseKey(std::vector<std::string>& keys) {
    while (true) {
      SkipSpaces();
      if (Peek() == '"' || Peek() == '\'') {
        ASSIGN_OR_RETURN(json k, ParseString());
        keys.push_back(k.get<std::string>());
      } else {
        size_t start = pos_;
        while (!AtEnd() && (std::isalnum(static_cast<unsigned char>(Peek())) || Peek() == '_' || Peek() == '-'))
          ++pos_;
        if (start == pos_) return Error("expected a key");
        keys.emplace_back(s_.substr(start, pos_ - start));
      }
      SkipSpaces();
      if (Peek() != '.') return Status::Ok();
      ++pos_;
    }
  }

  Result<json> ParseString() {
    char quote = Peek();
    if (s_.substr(pos_, 3) == std::string(3, quote)) return Error("multi-line strings are not supported");
    ++pos_;
    std::string out;
    while (true) {
      if (AtEnd() || Peek() == '\n') return Error("unterminated string");
      char c = s_[pos_++];
      if (c == quote) break;
      if (c == '\\' && quote == '"') {
        if (AtEnd()) return Error("unterminated string");
        char e = s_[pos_++];
        switch (e) {
          case 'n': out += '\n'; break;
          case 't': out += '\t'; break;
          case 'r': out += '\r'; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case '"': out += '"'; break;
          case '\\': out += '\\'; break;
          case 'u': {
            if (pos_ + 4 > s_.size()) return Error("bad \\u escape");
            unsigned cp = 0;
            for (int i = 0; i < 4; ++i) {
              char h = s_[pos_++];
              if (!std::isxdigit(static_cast<unsigned char>(h))) return Error("bad \\u escape");
              cp = cp * 16 + (std::isdigit(static_cast<unsigned char>(h)) ? h - '0' : (std::tolower(h) - 'a' + 10));
            }
            if (cp < 0x80) {
              out += static_cast<char>(cp);
            } else if (cp < 0x800) {
              out += static_cast<char>(0xC0 | (cp >> 6));
              out += static_cast<char>(0x80 | (cp & 0x3F));
            } else {
              out += static_cast<char>(0xE0 | (cp >> 12));
              out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
              out += static_cast<char>(0x80 | (cp & 0x3F));
            }
            break;
          }
          default: return Error(std::string("bad escape \\") + e);
        }
        continue;
      }
      out += c;
    }
    return json(out);
  }

  // Inside arrays, newlines and comments count as whitespace.
  void SkipArraySpace() { SkipBlankLines(); }

  Result<json> ParseValue(int depth) {
    if (depth > kMaxDepth) return ResourceExhaustedError("TOML nesting deeper than 32");
    char c = Peek();
    if (c == '"' || c == '\'') return ParseString();
    if (c == '[') {
      ++pos_;
      json arr = json::array();
      while (true) {
        SkipArraySpace();
        if (Peek() == ']') {
          ++pos_;
          return arr;
        }
        if (arr.size() >= kMaxArrayItems) return ResourceExhaustedError("TOML array longer than 10000 items");
        ASSIGN_OR_RETURN(json item, ParseValue(depth + 1));
        arr.push_back(std::move(item));
        SkipArraySpace();
        if (Peek() == ',') {
          ++pos_;
          continue;
        }
        if (Peek() != ']') return Error("expected ',' or ']' in array");
      }
    }
    if (c == '{') {
      ++pos_;
      json tbl = json::object();
      SkipSpaces();
      if (Peek() == '}') {
        ++pos_;
        return tbl;
      }
      while (true) {
        std::vector<std::string> keys;
        RETURN_IF_ERROR(ParseKey(keys));
        SkipSpaces();
        if (Peek() != '=') return Error("expected '=' in inline table");
        ++pos_;
        SkipSpaces();
        ASSIGN_OR_RETURN(json v, ParseValue(depth + 1));
        RETURN_IF_ERROR(Assign(tbl, keys, std::move(v)));
        SkipSpaces();
        if (Peek() == ',') {
          ++pos_;
          continue;
        }
        if (Peek() == '}') {
          ++pos_;
          return tbl;
        }
        return Error("expected ',' or '}' in inline table");
      }
    }
    if (s_.substr(pos_, 4) == "true") {
      pos_ += 4;
      return json(true);
    }
    if (s_.substr(pos_, 5) == "false") {
      pos_ += 5;
      return json(false);
    }
    size_t start = pos_;
    if (Peek() == '+' || Peek() == '-') ++pos_;
    while (!AtEnd() && (std::isdigit(static_cast<unsigned char>(Peek())) || Peek() == '_')) ++pos_;
    std::string digits;
    for (char d : s_.substr(start, pos_ - start))
      if (d != '_') digits += d;
    if (digits.empty() || digits == "+" || digits == "-" || digits.size() > 18 ||
        (!AtEnd() && (std::isalpha(static_cast<unsigned char>(Peek())) || Peek() == '.' || Peek() == ':'))) {
      pos_ = start;
      return Error("unsupported value (strings, booleans, integers, arrays and inline tables only)");
    }
    return json(std::stoll(digits));
  }

  // Walks root by keys for a header; array-of-tables descend into the last element.
  Result<json*> OpenTable(json& root, const std::vector<std::string>& keys, bool array) {
    json* node = &root;
    for (size_t i = 0; i < keys.size(); ++i) {
      bool last = i + 1 == keys.size();
      json& child = (*node)[keys[i]];
      if (last && array) {
        if (child.is_null()) child = json::array();
        if (!child.is_array()) return Error("\"" + keys[i] + "\" is not an array of tables");
        if (child.size() >= kMaxArrayItems) return ResourceExhaustedError("more than 10000 [[" + keys[i] + "]] tables");
        child.push_back(json::object());
        return &child.back();
      }
      if (child.is_null()) child = json::object();
      if (child.is_array()) {
        if (child.empty() || !child.back().is_object()) return Error("\"" + keys[i] + "\" is not a table");
        node = &child.back();
      } else if (child.is_object()) {
        node = &child;
      } else {
        return Error("\"" + keys[i] + "\" is not a table");
      }
    }
    return node;
  }

  Status Assign(json& table, const std::vector<std::string>& keys, json value) {
    json* node = &table;
    for (size_t i = 0; i + 1 < keys.size(); ++i) {
      json& child = (*node)[keys[i]];
      if (child.is_null()) child = json::object();
      if (!child.is_object()) return Error("\"" + keys[i] + "\" is not a table");
      node = &child;
    }
    if (node->contains(keys.back())) return Error("duplicate key \"" + keys.back() + "\"");
    (*node)[keys.back()] = std::move(value);
    return Status::Ok();
  }

  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

Result<nlohmann::json> ParseTomlLite(std::string_view text) {
  if (text.size() > kMaxTomlBytes) return ResourceExhaustedError("TOML file larger than 1 MiB");
  return Parser(text).Run();
}

}  // namespace shale::internal
