// Word expansion as Dockerfiles define it (the BuildKit shell lexer): $v,
// ${v}, ${v:-w} ${v-w} ${v:+w} ${v+w} ${v:?w} ${v?w}, ${v#p} ${v##p} ${v%p}
// ${v%%p}, ${v/p/r} ${v//p/r}; single quotes (literal), double quotes (with
// $ expansion and \" \$ \\ escapes), the escape character outside quotes, and
// splitting into words on unquoted white space (also white space produced by
// an unquoted expansion). There is no command substitution, arithmetic or
// globbing. Positional and special parameters ($1, $@, $#, ...) are plain
// names that are never set.
//
// Expansion is single-pass and iterative except for ${...} nesting, which is
// capped at kMaxExpansionDepth; output is capped at kMaxExpansionBytes.
// Errors carry messages only; callers add the source location.
#ifndef SHALE_FRONTEND_SHELL_LEX_H_
#define SHALE_FRONTEND_SHELL_LEX_H_

#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "frontend/limits.h"

namespace shale::frontend {

// Returns the value of a variable, or nullptr when it is unset. A set but
// empty variable returns a pointer to an empty string.
using VarLookup = std::function<const std::string*(std::string_view name)>;

struct ShellLexOptions {
  char escape = '\\';
  bool raw_quotes = false;   // keep quote characters in the output
  bool raw_escapes = false;  // keep escape characters in the output
  bool skip_unset = false;   // leave $v / ${v...} as written when v is unset
  bool skip_quotes = false;  // quotes are ordinary characters (heredoc bodies)
  size_t max_output = kMaxExpansionBytes;
  // What Expand() fills besides `word` (ExpandWord/ExpandWords turn off what
  // they do not return).
  bool want_words = true;
  bool record_matches = true;
};

struct Expansion {
  std::string word;                // the whole input as one word
  std::vector<std::string> words;  // the input split into words
  std::set<std::string> matched;   // names looked up and found set
  std::set<std::string> unmatched; // names looked up and found unset
};

// Expands `input`. On failure: InvalidArgument (syntax, ${v:?}, bad pattern)
// or ResourceExhausted (a cap), with the message
// `failed to process "<input>": <reason>`.
Result<Expansion> Expand(std::string_view input, const VarLookup& lookup,
                         const ShellLexOptions& options = {});
// Convenience: the single-word and the split forms.
Result<std::string> ExpandWord(std::string_view input, const VarLookup& lookup,
                               const ShellLexOptions& options = {});
Result<std::vector<std::string>> ExpandWords(std::string_view input, const VarLookup& lookup,
                                             const ShellLexOptions& options = {});

// A glob pattern of ${v#p} ${v%p} ${v/p/r} as an RE2 expression: `*` any run,
// `?` one character, backslash escapes only `*`, `?` and itself; before `}`
// or `/` it is dropped. Anything else after a backslash is an error.
Result<std::string> ShellPatternToRegex(std::string_view pattern, bool greedy, bool anchored);

}  // namespace shale::frontend

#endif  // SHALE_FRONTEND_SHELL_LEX_H_
