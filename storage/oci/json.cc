#include "storage/oci/json.h"

#include <string>

namespace shale::oci {

namespace {

// Nesting depth of the text, counted without parsing (strings skipped), so a
// hostile "[[[[…" never reaches a recursive consumer.
int MaxDepth(std::string_view text, int stop_above) {
  int depth = 0, max_depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        if (++depth > max_depth) {
          max_depth = depth;
          if (max_depth > stop_above) return max_depth;
        }
        break;
      case ']':
      case '}':
        --depth;
        break;
      default:
        break;
    }
  }
  return max_depth;
}

}  // namespace

Result<nlohmann::json> ParseJson(std::string_view bytes, std::string_view what, size_t max_bytes) {
  std::string name(what);
  if (bytes.size() > max_bytes)
    return ResourceExhaustedError(name + ": " + std::to_string(bytes.size()) + " bytes exceeds the cap of " +
                                  std::to_string(max_bytes) + " bytes");
  if (MaxDepth(bytes, kMaxJsonDepth) > kMaxJsonDepth)
    return ResourceExhaustedError(name + ": JSON nesting deeper than the cap of " + std::to_string(kMaxJsonDepth));
  try {
    return nlohmann::json::parse(bytes.begin(), bytes.end());
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgumentError(name + ": malformed JSON: " + e.what());
  } catch (const std::exception& e) {
    return InternalError(name + ": " + e.what());
  }
}

std::string CanonicalJson(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string PrettyJson(const nlohmann::json& value) {
  return value.dump(4, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace shale::oci
