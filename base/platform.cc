#include "base/platform.h"

#include <sys/utsname.h>

namespace shale {
namespace {

void NormalizeArch(std::string& arch, std::string& variant) {
  if (arch == "x86_64" || arch == "x86-64") arch = "amd64";
  else if (arch == "aarch64") arch = "arm64";
  else if (arch == "i386" || arch == "i686") arch = "386";
  else if (arch == "armhf") { arch = "arm"; if (variant.empty()) variant = "v7"; }
  else if (arch == "armel") { arch = "arm"; if (variant.empty()) variant = "v6"; }
  else if (arch == "armv7l") { arch = "arm"; variant = "v7"; }
  if (arch == "arm64" && variant == "v8") variant.clear();
  if (arch == "arm" && variant.empty()) variant = "v7";
  if (arch == "amd64" && variant == "v1") variant.clear();
}

}  // namespace

std::string Platform::ToString() const {
  std::string out = os + "/" + architecture;
  if (!variant.empty()) out += "/" + variant;
  return out;
}

Result<Platform> Platform::Parse(std::string_view text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t slash = text.find('/', start);
    parts.emplace_back(text.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  Platform p;
  if (parts.size() == 1) {
    p.os = "linux";
    p.architecture = parts[0];
  } else if (parts.size() == 2 || parts.size() == 3) {
    p.os = parts[0];
    p.architecture = parts[1];
    if (parts.size() == 3) p.variant = parts[2];
  } else {
    return InvalidArgumentError("invalid platform \"" + std::string(text) + "\": want os/arch[/variant]");
  }
  for (const auto& part : parts) {
    if (part.empty())
      return InvalidArgumentError("invalid platform \"" + std::string(text) + "\": empty component");
    for (char c : part) {
      if (!(isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'))
        return InvalidArgumentError("invalid platform \"" + std::string(text) + "\": bad character");
    }
  }
  return p.Normalized();
}

Platform Platform::Host() {
  Platform p;
  p.os = "linux";
  struct utsname u;
  if (uname(&u) == 0) p.architecture = u.machine;
  return p.Normalized();
}

Platform Platform::Normalized() const {
  Platform p = *this;
  for (auto& c : p.os) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  NormalizeArch(p.architecture, p.variant);
  return p;
}

bool Platform::Matches(const Platform& candidate) const {
  Platform a = Normalized(), b = candidate.Normalized();
  if (a.os != b.os || a.architecture != b.architecture) return false;
  if (a.variant.empty() || b.variant.empty()) return a.variant == b.variant || a.architecture != "arm";
  return a.variant == b.variant;
}

}  // namespace shale
