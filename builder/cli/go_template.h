// A subset of Go's text/template, enough for the `--format` strings people
// pass to `buildah inspect` / `podman inspect`, evaluated over JSON data.
//
// Supported: text, {{pipeline}} with `|`, trim markers {{- -}}, fields
// (.A.B, $.A), string/raw-string/number/bool literals, parentheses,
// {{if}}/{{else}}/{{else if}}/{{end}}, {{range}} (arrays; maps in key
// order; {{else}} when empty), {{with}}, and the functions json, len, index,
// printf (%s %v %q %d %x %%), print, println, eq, ne, not, and, or, lower,
// upper, join.
//
// Values print as Go's fmt %v does: slices "[a b]", maps "map[k:v]" (keys
// sorted), structs "{v1 v2}", nil "<nil>". JSON has no map/struct
// distinction, so the caller names the fields whose values are Go maps
// (e.g. "Labels"); every other object is a struct. A missing struct field
// prints "<no value>", as Go does for a missing map key. Field names match
// object keys exactly, else ignoring case, '_' and '.' (as encoding/json
// matches names), so .CreatedBy reads "created_by" and .OSVersion
// "os.version": the stored OCI/Docker JSON can be used as-is.
#ifndef SHALE_BUILDER_CLI_GO_TEMPLATE_H_
#define SHALE_BUILDER_CLI_GO_TEMPLATE_H_

#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace shale::cli {

struct GoTemplateData {
  nlohmann::ordered_json root;
  std::set<std::string> map_fields;  // field names whose object values are Go maps
};

// Renders `tmpl` against `data`. InvalidArgument (with the offending action)
// for a template outside the subset or a runtime error such as `index` out of
// range; nothing is returned partially. Nesting depth is capped.
Result<std::string> RenderGoTemplate(std::string_view tmpl, const GoTemplateData& data);

}  // namespace shale::cli

#endif  // SHALE_BUILDER_CLI_GO_TEMPLATE_H_
