// Exec-form arguments: a JSON array of strings. Validation is iterative with
// a nesting cap, so hostile input cannot exhaust the stack.
#ifndef SHALE_FRONTEND_INTERNAL_JSON_ARRAY_H_
#define SHALE_FRONTEND_INTERNAL_JSON_ARRAY_H_

#include <string>
#include <string_view>
#include <vector>

namespace shale::frontend::internal {

enum class JsonArrayResult {
  kNotJson,         // not a JSON array (shell form applies)
  kNotStringArray,  // valid JSON array with a non-string element (an error)
  kOk,
};

// `text` may have leading white space. On kOk, `out` holds the decoded strings.
JsonArrayResult ParseJsonStringArray(std::string_view text, std::vector<std::string>* out);

}  // namespace shale::frontend::internal

#endif  // SHALE_FRONTEND_INTERNAL_JSON_ARRAY_H_
