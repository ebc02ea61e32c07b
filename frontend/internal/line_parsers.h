// Turning one logical line into a Node (BuildKit's splitCommand, flag
// extraction and per-instruction argument parsers).
#ifndef SHALE_FRONTEND_INTERNAL_LINE_PARSERS_H_
#define SHALE_FRONTEND_INTERNAL_LINE_PARSERS_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "frontend/ast.h"

namespace shale::frontend::internal {

// Words separated by white space; quotes and escapes are kept in the words
// (ARG, and ENV/LABEL form detection).
std::vector<std::string> ParseWords(std::string_view rest, char escape);

// Leading --flags of `rest`; returns the remaining text. `--` ends flags.
std::string_view ExtractFlags(std::string_view rest, char escape, std::vector<std::string>* flags);

// Fills node->keyword, flags, args, json, trigger from `line`. `depth` counts
// enclosing ONBUILDs. Errors are plain messages (the caller adds location).
Status NodeFromLine(std::string_view line, char escape, int depth, Node* node);

// True for RUN, COPY, ADD in shell form, also as an ONBUILD trigger.
bool CanContainHeredoc(const Node& node);

}  // namespace shale::frontend::internal

#endif  // SHALE_FRONTEND_INTERNAL_LINE_PARSERS_H_
