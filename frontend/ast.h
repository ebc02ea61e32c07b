// The Containerfile syntax tree, as the BuildKit parser builds it: one Node
// per instruction (logical line, continuation lines joined), in source order.
// No expansion, no quote removal and no validation happen at this level;
// unknown instructions parse (with one empty argument), and flags are kept as
// written for every instruction. Turning nodes into typed instructions is
// instructions.h's job.
#ifndef SHALE_FRONTEND_AST_H_
#define SHALE_FRONTEND_AST_H_

#include <memory>
#include <string>
#include <vector>

namespace shale::frontend {

// A here-document attached to RUN, COPY or ADD (`<<EOF`, `<<-EOF`,
// `<<'EOF'`, `3<<EOF`). `content` holds the body exactly as written (line
// ends included, tabs not yet removed).
struct Heredoc {
  std::string name;      // the terminator word, quotes removed
  std::string content;
  int file_descriptor = 0;
  bool expand = true;    // false when any part of the word was quoted
  bool chomp = false;    // `<<-`: leading tabs are removed when used
};

struct Node {
  std::string keyword;             // the instruction word as written ("RUN", "fRoM")
  std::vector<std::string> flags;  // leading --flags, quotes removed ("--from=build")
  std::vector<std::string> args;   // argument values (see FORMAT.md of the corpus)
  std::unique_ptr<Node> trigger;   // ONBUILD's instruction; then args is empty
  bool json = false;               // arguments came from a JSON array
  std::string original;            // the logical line as joined
  int start_line = 0;              // 1-based first physical line
  int end_line = 0;                // last physical line (heredoc bodies included)
  int column = 1;                  // column of the keyword on start_line
  std::vector<Heredoc> heredocs;
  std::vector<std::string> prev_comments;  // comment lines just above (doc comments)
};

struct Directive {
  std::string name;  // lower case: syntax, escape, check
  std::string value;
  int line = 0;
};

struct ParseWarning {
  std::string message;
  std::string detail;
  int line = 0;
};

struct Ast {
  std::vector<Node> children;
  std::vector<Directive> directives;
  std::vector<ParseWarning> warnings;
  char escape = '\\';
  int start_line = 0;
  int end_line = 0;
};

}  // namespace shale::frontend

#endif  // SHALE_FRONTEND_AST_H_
