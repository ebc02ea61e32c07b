// Platform: os/architecture[/variant] as in the OCI image index.
#ifndef SHALE_BASE_PLATFORM_H_
#define SHALE_BASE_PLATFORM_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace shale {

struct Platform {
  std::string os;            // "linux"
  std::string architecture;  // GOARCH spelling: amd64, arm64, arm, 386, ppc64le, s390x, riscv64
  std::string variant;       // "v7", "v8"; may be empty
  std::string os_version;
  std::vector<std::string> os_features;

  // "linux/amd64" or "linux/arm/v7".
  std::string ToString() const;
  // Parses "os/arch[/variant]" and also a bare "arch"; normalises aliases
  // (x86_64 -> amd64, aarch64 -> arm64, armhf -> arm/v7, arm64/v8 -> arm64).
  static Result<Platform> Parse(std::string_view text);
  // The platform this process runs on (uname machine, normalised).
  static Platform Host();
  // Fills defaults and aliases: arm without variant -> v7, arm64 v8 -> "".
  Platform Normalized() const;
  // True when an image for `candidate` can run where *this is wanted:
  // same os and arch, and variant equal after normalisation.
  bool Matches(const Platform& candidate) const;

  friend bool operator==(const Platform&, const Platform&) = default;
};

}  // namespace shale

#endif  // SHALE_BASE_PLATFORM_H_
