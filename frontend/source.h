// Source locations and located errors. Every parse and expansion error the
// frontend returns reads
//
//   Containerfile:12:5: unknown instruction: FOO
//    12 | FOO bar
//       |     ^
//
// (first line "file:line:col: message", then the source line and a caret
// under the column). Lines and columns are 1-based; column counts bytes.
#ifndef SHALE_FRONTEND_SOURCE_H_
#define SHALE_FRONTEND_SOURCE_H_

#include <string>
#include <string_view>

#include "base/status.h"

namespace shale::frontend {

struct SourceLocation {
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based byte column; 0 when unknown
};

// The text of 1-based line `line` of `text` (without its newline), or empty.
std::string_view LineOfText(std::string_view text, int line);

// Builds the located error described above. `text` is the whole file.
Status LocatedError(StatusCode code, std::string_view file, std::string_view text,
                    SourceLocation loc, std::string_view message);

// Column (1-based) of the first occurrence of `needle` in line `line` of
// `text`, or `fallback` when it does not occur there.
int FindColumn(std::string_view text, int line, std::string_view needle, int fallback);

}  // namespace shale::frontend

#endif  // SHALE_FRONTEND_SOURCE_H_
