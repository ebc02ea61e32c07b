// Small text helpers shared by every module.
#ifndef SHALE_BASE_TEXT_H_
#define SHALE_BASE_TEXT_H_

#include <string_view>
#include <vector>

namespace shale {

// The lines of `text`, without their '\n'. A last line without '\n' counts;
// a final '\n' does not start another (empty) line. The views point into
// `text`.
inline std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return lines;
}

// The non-empty components of `path`, in order ("/a//b/./c/" -> a, b, ., c):
// "." and ".." are kept for the caller to interpret. The views point into
// `path`.
inline std::vector<std::string_view> PathComponents(std::string_view path) {
  std::vector<std::string_view> comps;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    if (end > pos) comps.push_back(path.substr(pos, end - pos));
    pos = end + 1;
  }
  return comps;
}

}  // namespace shale

#endif  // SHALE_BASE_TEXT_H_
