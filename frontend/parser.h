// Containerfile text -> Ast (the BuildKit parser's rules, see
// ../shared/conformance/buildkit-dockerfile-parser/FORMAT.md).
//
// Handles parser directives (`# syntax=`, `# escape=`, `# check=`, only in
// the block of comment lines at the top, each at most once), comments (a `#`
// as the first non-blank character of a physical line), continuation lines
// (the escape character at the end of a line), here-documents for RUN, COPY
// and ADD (also as ONBUILD triggers), and JSON vs shell forms.
//
// Errors (InvalidArgument, or ResourceExhausted for a cap) are located, see
// source.h. Caps: kMaxFileBytes, kMaxLineBytes per physical line,
// kMaxLogicalLineBytes per joined line, kMaxInstructions.
#ifndef SHALE_FRONTEND_PARSER_H_
#define SHALE_FRONTEND_PARSER_H_

#include <string>
#include <string_view>

#include "base/status.h"
#include "frontend/ast.h"

namespace shale::frontend {

// `file` names the Containerfile in error messages.
Result<Ast> Parse(std::string_view text, std::string_view file = "Containerfile");

// Parses a single instruction line with no continuation and no heredoc
// bodies, e.g. an ONBUILD trigger stored in a base image's config.
Result<Node> ParseInstructionLine(std::string_view line, char escape = '\\');

// The BuildKit AST dump: one "(...)" line per instruction, each ending in
// "\n" (the exact bytes of a corpus `result` file).
std::string DumpAst(const Ast& ast);
std::string DumpNode(const Node& node);

}  // namespace shale::frontend

#endif  // SHALE_FRONTEND_PARSER_H_
