// A small TOML subset, enough for containers-registries.conf(5):
// comments, [table] and [[array.of.tables]] headers (dotted and quoted keys),
// key = value with dotted keys, basic "…" and literal '…' strings, booleans,
// integers, arrays (multi-line, trailing comma, nested) and inline tables.
// Not supported (InvalidArgument naming the line): multi-line strings, floats,
// dates. The document becomes an nlohmann::json object.
// Caps (SECURITY.md §2): 1 MiB of input, nesting depth 32, 10000 array items.
#ifndef SHALE_REGISTRY_INTERNAL_TOML_LITE_H_
#define SHALE_REGISTRY_INTERNAL_TOML_LITE_H_

#include <nlohmann/json.hpp>

#include <string_view>

#include "base/status.h"

namespace shale::internal {

inline constexpr size_t kMaxTomlBytes = 1 << 20;

// InvalidArgument "line N: what"; ResourceExhausted over a cap.
Result<nlohmann::json> ParseTomlLite(std::string_view text);

}  // namespace shale::internal

#endif  // SHALE_REGISTRY_INTERNAL_TOML_LITE_H_
