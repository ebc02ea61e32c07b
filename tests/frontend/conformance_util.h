// Helpers for the conformance-data tests: locating ../shared/conformance and
// reading files.
#ifndef SHALE_TESTS_FRONTEND_CONFORMANCE_UTIL_H_
#define SHALE_TESTS_FRONTEND_CONFORMANCE_UTIL_H_

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace shale::frontend::testing {

inline std::filesystem::path ConformanceDir() {
  return std::filesystem::path(SHALE_SOURCE_DIR "/../shared/conformance");
}

inline bool ReadWholeFile(const std::filesystem::path& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

}  // namespace shale::frontend::testing

#endif  // SHALE_TESTS_FRONTEND_CONFORMANCE_UTIL_H_
