// Caps on untrusted Containerfile input (SECURITY.md §2 and §8). Going over a
// cap is an error that names the cap; nothing is truncated silently.
#ifndef SHALE_FRONTEND_LIMITS_H_
#define SHALE_FRONTEND_LIMITS_H_

#include <cstddef>

namespace shale::frontend {

// Whole Containerfile (text handed to Parse).
inline constexpr size_t kMaxFileBytes = 16u << 20;
// One physical line, as BuildKit (bufio.MaxScanTokenSize - 1).
inline constexpr size_t kMaxLineBytes = 65535;
// One logical line after joining continuation lines.
inline constexpr size_t kMaxLogicalLineBytes = 1u << 20;
// Output of expanding one word.
inline constexpr size_t kMaxExpansionBytes = 1u << 20;
// Nesting of ${...} and quotes inside one word.
inline constexpr int kMaxExpansionDepth = 64;
// Nesting of JSON arrays/objects in exec-form arguments.
inline constexpr int kMaxJsonDepth = 256;
// Sum of all ENV/ARG values held by one stage.
inline constexpr size_t kMaxStageEnvBytes = 16u << 20;
// Instructions in one file, and stages.
inline constexpr size_t kMaxInstructions = 100000;
// Patterns in one ignore file.
inline constexpr size_t kMaxIgnorePatterns = 100000;

}  // namespace shale::frontend

#endif  // SHALE_FRONTEND_LIMITS_H_
