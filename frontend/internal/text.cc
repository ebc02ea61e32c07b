#include "frontend/internal/text.h"

namespace shale::frontend::internal {

size_t DecodeRune(std::string_view s, size_t pos, char32_t* rune) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data()) + pos;
  size_t left = s.size() - pos;
  unsigned char c = p[0];
  if (c < 0x80) {
    *rune = c;
    return 1;
  }
  size_t n;
  char32_t r;
  char32_t min;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2, r = c & 0x1F, min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3, r = c & 0x0F, min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4, r = c & 0x07, min = 0x10000;
  } else {
    *rune = kRuneError;
    return 1;
  }
  if (left < n) {
    *rune = kRuneError;
    return 1;
  }
  for (size_t i = 1; i < n; ++i) {
    if ((p[i] & 0xC0) != 0x80) {
      *rune = kRuneError;
      return 1;
    }
    r = (r << 6) | (p[i] & 0x3F);
  }
  if (r < min || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) {
    *rune = kRuneError;
    return 1;
  }
  *rune = r;
  return n;
}

void AppendRune(std::string* out, char32_t r) {
  if (r < 0x80) {
    out->push_back(static_cast<char>(r));
  } else if (r < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (r >> 6)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else if (r < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (r >> 12)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (r >> 18)));
    out->push_back(static_cast<char>(0x80 | ((r >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  }
}

bool IsUnicodeSpace(char32_t r) {
  if (r < 0x80) return IsAsciiSpace(static_cast<unsigned char>(r));
  switch (r) {
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F:
    case 0x205F: case 0x3000:
      return true;
    default:
      return r >= 0x2000 && r <= 0x200A;
  }
}

bool IsUnicodeDigit(char32_t r) {
  return (r >= '0' && r <= '9') || (r >= 0x660 && r <= 0x669) || (r >= 0x6F0 && r <= 0x6F9) ||
         (r >= 0x966 && r <= 0x96F) || (r >= 0xFF10 && r <= 0xFF19);
}

bool IsUnicodeLetter(char32_t r) {
  if (r < 0x80) return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z');
  if (r == 0xAA || r == 0xB5 || r == 0xBA) return true;
  if (r < 0xC0 || r == 0xD7 || r == 0xF7) return false;
  if (IsUnicodeDigit(r) || IsUnicodeSpace(r)) return false;
  // Punctuation, symbols, marks and other non-letters in the common ranges.
  if (r >= 0x2B9 && r <= 0x36F) return false;     // modifier letters (partly), combining marks
  if (r >= 0x2000 && r <= 0x2BFF) return false;    // punctuation, symbols, arrows, math, boxes
  if (r >= 0x3000 && r <= 0x303F) return false;    // CJK punctuation
  if (r >= 0xE000 && r <= 0xF8FF) return false;    // private use
  if (r >= 0xFE00 && r <= 0xFE0F) return false;    // variation selectors
  if (r >= 0xFF00 && r <= 0xFF20) return false;    // full-width punctuation
  if (r >= 0xFFF0 && r <= 0xFFFF) return false;
  if (r >= 0x1F000 && r <= 0x1FAFF) return false;  // emoji and pictographs
  if (r >= 0xE0000) return false;
  return true;
}

bool IsUnicodePrint(char32_t r) {
  if (r < 0x20 || r == 0x7F) return false;
  if (r < 0x7F) return true;
  if (r >= 0x80 && r <= 0xA0) return false;  // C1 controls and NBSP
  if (r == 0xAD) return false;               // soft hyphen (format)
  if (IsUnicodeSpace(r)) return false;       // spaces other than U+0020
  if ((r >= 0x200B && r <= 0x200F) || (r >= 0x202A && r <= 0x202E) ||
      (r >= 0x2060 && r <= 0x206F) || r == 0xFEFF || (r >= 0xFFF9 && r <= 0xFFFB) ||
      (r >= 0x600 && r <= 0x605) || r == 0x61C || r == 0x6DD || r == 0x70F || r == 0x180E) {
    return false;  // format characters
  }
  if (r >= 0xD800 && r <= 0xDFFF) return false;
  if (r >= 0xE000 && r <= 0xF8FF) return false;  // private use
  if (r == 0xFFFE || r == 0xFFFF) return false;
  if (r >= 0xE0000) return false;  // tags, variation selectors supplement, private use planes
  return true;
}

std::string GoQuote(std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    char32_t r;
    size_t w = DecodeRune(s, i, &r);
    if (r == kRuneError && w == 1) {
      unsigned char b = static_cast<unsigned char>(s[i]);
      out += "\\x";
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 15]);
      i += w;
      continue;
    }
    i += w;
    switch (r) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\a': out += "\\a"; continue;
      case '\b': out += "\\b"; continue;
      case '\f': out += "\\f"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      case '\v': out += "\\v"; continue;
      default: break;
    }
    if (IsUnicodePrint(r)) {
      AppendRune(&out, r);
    } else if (r < 0x20 || r == 0x7F) {
      out += "\\x";
      out.push_back(kHex[r >> 4]);
      out.push_back(kHex[r & 15]);
    } else if (r <= 0xFFFF) {
      out += "\\u";
      for (int shift = 12; shift >= 0; shift -= 4) out.push_back(kHex[(r >> shift) & 15]);
    } else {
      out += "\\U";
      for (int shift = 28; shift >= 0; shift -= 4) out.push_back(kHex[(r >> shift) & 15]);
    }
  }
  out.push_back('"');
  return out;
}

std::string ToLower(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    char32_t r;
    size_t w = DecodeRune(s, i, &r);
    if (r == kRuneError && w == 1) {
      out.push_back(s[i]);
      i += w;
      continue;
    }
    i += w;
    if (r >= 'A' && r <= 'Z') r += 32;
    else if (r >= 0xC0 && r <= 0xDE && r != 0xD7) r += 32;
    else if (r >= 0x391 && r <= 0x3A9 && r != 0x3A2) r += 32;
    else if (r >= 0x410 && r <= 0x42F) r += 32;
    else if (r >= 0x400 && r <= 0x40F) r += 80;
    AppendRune(&out, r);
  }
  return out;
}

std::string ToUpperAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  }
  return out;
}

bool EqualsIgnoreCaseAscii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

std::string_view TrimLeftSpace(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    char32_t r;
    size_t w = DecodeRune(s, i, &r);
    if (!(w > 1 || r != kRuneError) || !IsUnicodeSpace(r)) break;
    i += w;
  }
  return s.substr(i);
}

std::string_view TrimRightSpace(std::string_view s) {
  size_t end = s.size();
  while (end > 0) {
    // Find the start of the last rune.
    size_t start = end - 1;
    while (start > 0 && end - start < 4 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    char32_t r;
    size_t w = DecodeRune(s, start, &r);
    if (start + w != end) {  // not a valid rune ending here: a single byte
      start = end - 1;
      w = DecodeRune(s, start, &r);
      if (w != 1) break;
    }
    if (r == kRuneError && w == 1) break;
    if (!IsUnicodeSpace(r)) break;
    end = start;
  }
  return s.substr(0, end);
}

std::string_view TrimSpace(std::string_view s) { return TrimRightSpace(TrimLeftSpace(s)); }

}  // namespace shale::frontend::internal
