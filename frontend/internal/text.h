// Small text helpers shared by the frontend: UTF-8 decoding, the Unicode
// character classes the Dockerfile grammar relies on (Go's unicode.IsSpace,
// IsLetter, IsDigit, IsPrint, approximated for the ranges that occur in real
// files), Go-style string quoting for the AST dump, and lower-casing.
#ifndef SHALE_FRONTEND_INTERNAL_TEXT_H_
#define SHALE_FRONTEND_INTERNAL_TEXT_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace shale::frontend::internal {

inline constexpr char32_t kRuneError = 0xFFFD;

// Decodes the rune starting at s[pos]. Returns its width in bytes (>= 1 when
// pos < s.size()). An invalid sequence decodes as kRuneError with width 1.
size_t DecodeRune(std::string_view s, size_t pos, char32_t* rune);
void AppendRune(std::string* out, char32_t rune);

// ASCII white space as Go's regexp class [\t\n\v\f\r ].
inline bool IsAsciiSpace(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}
bool IsUnicodeSpace(char32_t r);
bool IsUnicodeLetter(char32_t r);
bool IsUnicodeDigit(char32_t r);
bool IsUnicodePrint(char32_t r);

// Go's strconv.Quote: "..." with escapes; invalid bytes as \xNN.
std::string GoQuote(std::string_view s);
// Unicode-aware lower-casing of the common alphabets (ASCII, Latin-1, Greek,
// Cyrillic); other bytes are copied.
std::string ToLower(std::string_view s);
std::string ToUpperAscii(std::string_view s);
bool EqualsIgnoreCaseAscii(std::string_view a, std::string_view b);

// strings.TrimSpace / TrimLeftFunc(IsSpace) on Unicode white space.
std::string_view TrimSpace(std::string_view s);
std::string_view TrimLeftSpace(std::string_view s);
std::string_view TrimRightSpace(std::string_view s);

}  // namespace shale::frontend::internal

#endif  // SHALE_FRONTEND_INTERNAL_TEXT_H_
