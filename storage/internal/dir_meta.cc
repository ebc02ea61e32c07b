#include "storage/internal/dir_meta.h"

#include <sys/xattr.h>

#include <algorithm>
#include <cerrno>
#include <utility>
#include <vector>

namespace shale::internal {
namespace {

bool OverlayOwn(const std::string& name) {
  return name.rfind("trusted.overlay.", 0) == 0 || name.rfind("user.overlay.", 0) == 0;
}

// FNV-1a, 64 bit: not a security boundary (the step's own changes), only a
// compact equality check.
void Mix(uint64_t* h, const char* data, size_t len) {
  for (size_t i = 0; i < len; ++i) {
    *h ^= static_cast<unsigned char>(data[i]);
    *h *= 1099511628211ull;
  }
}

}  // namespace

uint64_t XattrHash(const std::string& lpath) {
  std::vector<char> names(1024);
  ssize_t n;
  while ((n = llistxattr(lpath.c_str(), names.data(), names.size())) < 0) {
    if (errno != ERANGE || names.size() > (1u << 20)) return 0;
    names.resize(names.size() * 4);
  }
  std::vector<std::pair<std::string, std::string>> kv;
  std::vector<char> value(1024);
  for (ssize_t i = 0; i < n;) {
    std::string name(&names[static_cast<size_t>(i)]);
    i += static_cast<ssize_t>(name.size()) + 1;
    if (name.empty() || OverlayOwn(name)) continue;
    ssize_t v;
    while ((v = lgetxattr(lpath.c_str(), name.c_str(), value.data(), value.size())) < 0) {
      if (errno != ERANGE || value.size() > (1u << 20)) break;
      value.resize(value.size() * 4);
    }
    kv.emplace_back(name, v < 0 ? std::string("\x01unreadable") : std::string(value.data(), static_cast<size_t>(v)));
  }
  if (kv.empty()) return 0;
  std::sort(kv.begin(), kv.end());
  uint64_t h = 14695981039346656037ull;
  for (const auto& [k, val] : kv) {
    Mix(&h, k.data(), k.size() + 1);
    uint64_t len = val.size();
    Mix(&h, reinterpret_cast<const char*>(&len), sizeof len);
    Mix(&h, val.data(), val.size());
  }
  return h == 0 ? 1 : h;
}

}  // namespace shale::internal
