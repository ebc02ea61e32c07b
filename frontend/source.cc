#include "frontend/source.h"

#include <algorithm>

namespace shale::frontend {

std::string_view LineOfText(std::string_view text, int line) {
  if (line <= 0) return {};
  size_t pos = 0;
  for (int i = 1; i < line; ++i) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) return {};
    pos = nl + 1;
  }
  size_t end = text.find('\n', pos);
  std::string_view out = text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
  while (!out.empty() && out.back() == '\r') out.remove_suffix(1);
  return out;
}

Status LocatedError(StatusCode code, std::string_view file, std::string_view text, SourceLocation loc,
                    std::string_view message) {
  std::string out(file.empty() ? "Containerfile" : file);
  out += ":" + std::to_string(std::max(loc.line, 1)) + ":" + std::to_string(std::max(loc.column, 1)) + ": ";
  out += message;
  std::string_view src = LineOfText(text, loc.line);
  if (loc.line > 0) {
    // Show at most 160 bytes of the line, around the column.
    size_t col = static_cast<size_t>(std::max(loc.column, 1)) - 1;
    col = std::min(col, src.size());
    size_t start = col > 120 ? col - 120 : 0;
    while (start > 0 && start < src.size() && (static_cast<unsigned char>(src[start]) & 0xC0) == 0x80) --start;
    std::string_view shown = src.substr(start, 160);
    std::string number = std::to_string(loc.line);
    out += "\n " + number + " | ";
    if (start > 0) out += "...";
    out.append(shown.data(), shown.size());
    out += "\n " + std::string(number.size(), ' ') + " | ";
    if (start > 0) out += "   ";
    for (size_t i = start; i < col && i < src.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(src[i]);
      if ((c & 0xC0) == 0x80) continue;  // one caret cell per character
      out.push_back(c == '\t' ? '\t' : ' ');
    }
    out.push_back('^');
  }
  return Status(code, std::move(out));
}

int FindColumn(std::string_view text, int line, std::string_view needle, int fallback) {
  if (needle.empty()) return fallback;
  std::string_view src = LineOfText(text, line);
  size_t at = src.find(needle);
  if (at == std::string_view::npos) return fallback;
  return static_cast<int>(at) + 1;
}

}  // namespace shale::frontend
