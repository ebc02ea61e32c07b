// AST nodes -> typed instructions, before expansion (BuildKit's
// `instructions` package). Validates what does not depend on variables:
// known instruction, allowed flags (unknown ones are errors naming them),
// argument counts, JSON-only forms, HEALTHCHECK options, ONBUILD triggers.
// Values stay as written; the stage compiler expands them.
#ifndef SHALE_FRONTEND_INSTRUCTIONS_H_
#define SHALE_FRONTEND_INSTRUCTIONS_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "frontend/ast.h"
#include "frontend/build_graph.h"

namespace shale::frontend {

struct ArgDecl {
  std::string key;
  std::optional<std::string> value;  // default as written
  std::string doc;                   // doc comment (see DocComment)
};

struct Instruction {
  StepKind kind = StepKind::kRun;
  SourceLocation location;
  std::string original;
  // Typed fields that need no expansion are final here (CMD, ENTRYPOINT,
  // SHELL, HEALTHCHECK, ONBUILD, MAINTAINER, RUN command, COPY/ADD booleans);
  // the rest hold raw text and are expanded by the compiler.
  StepOp op;
  std::vector<std::string> words;     // raw: COPY/ADD args (sources then dest), EXPOSE, VOLUME, USER...
  std::vector<KeyValue> pairs;        // raw ENV / LABEL pairs
  std::vector<ArgDecl> arg_decls;     // raw ARG declarations
  std::vector<std::string> mounts;    // raw RUN --mount values
  std::vector<Heredoc> heredocs;
  bool shell_form = false;            // RUN/CMD/ENTRYPOINT written in shell form
};

struct FromInstruction {
  std::string image;     // raw
  std::string name;      // lower-cased stage name, may be empty
  std::string platform;  // raw --platform
  SourceLocation location;
  std::string original;
  std::string doc;       // doc comment of the stage (see DocComment)
};

struct ParsedStage {
  FromInstruction from;
  std::vector<Instruction> commands;
};

struct ParsedFile {
  std::vector<Instruction> global_args;  // ARGs before the first FROM
  std::vector<ParsedStage> stages;
};

// The doc comment for `name` (a stage name or an ARG key) among the comment
// lines directly above its instruction: the line whose first word is `name`,
// with that word stripped ("# foo sets foo" -> "sets foo"); "" when none.
std::string DocComment(const std::vector<std::string>& comments, std::string_view name);

// Errors are located (source.h) against `text`/`file`.
Result<ParsedFile> ParseInstructions(const Ast& ast, std::string_view text, std::string_view file);

// One instruction (not FROM). `text`/`file` locate errors.
Result<Instruction> ParseInstruction(const Node& node, std::string_view text, std::string_view file);

// Go's time.ParseDuration ("1m30s", "0.5s", "100ms"), in nanoseconds.
Result<int64_t> ParseGoDuration(std::string_view text);

}  // namespace shale::frontend

#endif  // SHALE_FRONTEND_INSTRUCTIONS_H_
