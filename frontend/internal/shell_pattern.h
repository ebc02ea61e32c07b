// Glob patterns inside ${v#p}, ${v%p} and ${v/p/r}, evaluated with RE2 (linear
// time, no backtracking).
#ifndef SHALE_FRONTEND_INTERNAL_SHELL_PATTERN_H_
#define SHALE_FRONTEND_INTERNAL_SHELL_PATTERN_H_

#include <string>
#include <string_view>

#include "base/status.h"

namespace shale::frontend::internal {

Result<std::string> PatternToRegex(std::string_view pattern, bool greedy, bool anchored);
// Removes the shortest (greedy: longest) prefix of value matching pattern.
Result<std::string> TrimPrefixPattern(std::string_view pattern, const std::string& value, bool greedy);
// Removes the shortest (greedy: longest) suffix of value matching pattern.
Result<std::string> TrimSuffixPattern(std::string_view pattern, const std::string& value, bool greedy);
// Replaces the first (all: every) longest match of pattern with replacement.
Result<std::string> ReplacePattern(std::string_view pattern, std::string_view replacement,
                                   const std::string& value, bool all, size_t max_output);

}  // namespace shale::frontend::internal

#endif  // SHALE_FRONTEND_INTERNAL_SHELL_PATTERN_H_
