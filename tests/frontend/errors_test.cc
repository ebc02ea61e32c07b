// Every error class: exact message, file:line:col, source line and caret.
#include <gtest/gtest.h>

#include "frontend/instructions.h"
#include "frontend/limits.h"
#include "frontend/parser.h"
#include "frontend/shell_lex.h"
#include "frontend/stage_compiler.h"

namespace shale::frontend {
namespace {

Status CompileError(const std::string& text) {
  CompileOptions opts;
  opts.file = "Containerfile";
  Result<BuildGraph> g = CompileContainerfile(text, opts);
  EXPECT_FALSE(g.ok()) << text;
  return g.ok() ? Status::Ok() : g.status();
}

// First line of the message ("file:line:col: message").
std::string Head(const Status& s) { return s.message().substr(0, s.message().find('\n')); }

TEST(Errors, LocatedFormatWithSourceLineAndCaret) {
  Status s = CompileError("FROM alpine\n  FOO bar\n");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "Containerfile:2:3: unknown instruction: FOO\n"
            " 2 |   FOO bar\n"
            "   |   ^");
}

TEST(Errors, CaretFollowsTabs) {
  Status s = CompileError("FROM alpine\n\tCOPY --bogus=1 a b\n");
  EXPECT_EQ(s.message(),
            "Containerfile:2:7: COPY only supports the --chmod=<permissions> --chown=<uid:gid> --from=<image|stage> and the --exclude=<pattern> flags (unknown flag: --bogus)\n"
            " 2 | \tCOPY --bogus=1 a b\n"
            "   | \t     ^");
}

TEST(Errors, ParseErrors) {
  EXPECT_EQ(Head(CompileError("FROM a\nRUN <<EOF\nbody\n")), "Containerfile:2:1: unterminated heredoc \"EOF\"");
  EXPECT_EQ(Head(CompileError("")), "Containerfile:1:1: file with no instructions");
  EXPECT_EQ(Head(CompileError("# just a comment\n\n")), "Containerfile:2:1: file with no instructions");
  EXPECT_EQ(Head(CompileError("# escape=`\n# escape=\\\nFROM a\n")),
            "Containerfile:2:1: only one escape parser directive can be used");
  EXPECT_EQ(Head(CompileError("# escape=x\nFROM a\n")),
            "Containerfile:1:1: invalid escape token 'x' does not match ` or \\");
  EXPECT_EQ(Head(CompileError("FROM a\nCMD [\"a\", 1]\n")),
            "Containerfile:2:1: when using JSON array syntax, arrays must be comprised of strings only");
  EXPECT_EQ(Head(CompileError("FROM a\nENV PATH\n")), "Containerfile:2:1: ENV must have two arguments");
  EXPECT_EQ(Head(CompileError("FROM a\nLABEL a=b c\n")),
            "Containerfile:2:1: Syntax error - can't find = in \"c\". Must be of the form: name=value");
}

TEST(Errors, LineTooLong) {
  Status s = CompileError("FROM a\nLABEL x=" + std::string(70000, 'a') + "\n");
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(Head(s), "Containerfile:2:1: dockerfile line greater than max allowed size of 65535");
}

TEST(Errors, InstructionErrors) {
  struct Case {
    const char* text;
    const char* head;
  } cases[] = {
      {"FROM a\nfoo bar\n", "Containerfile:2:1: unknown instruction: foo"},
      {"FROM a\nMAINTAINER --boo joe\n", "Containerfile:2:12: unknown flag: --boo"},
      {"FROM a\nCOPY --from=x --from=y a b\n", "Containerfile:2:15: Duplicate flag specified: --from"},
      {"FROM a\nCOPY --chown a b\n",
       "Containerfile:2:6: COPY only supports the --chmod=<permissions> --chown=<uid:gid> --from=<image|stage> and the --exclude=<pattern> flags (Missing a value on flag: --chown)"},
      {"FROM a\nCOPY --link=maybe a b\n", "Containerfile:2:6: expecting boolean value for flag link, not: maybe"},
      {"FROM a\nADD --from=x a b\n", "Containerfile:2:5: ADD only supports the --chmod=<permissions>, --chown=<uid:gid>, and --checksum=<checksum> --exclude=<pattern> flags (unknown flag: --from)"},
      {"FROM a\nRUN --network=bridge x\n",
       "Containerfile:2:5: unsupported network mode \"bridge\" (want default, none or host)"},
      {"FROM a\nMAINTAINER\n", "Containerfile:2:1: MAINTAINER requires exactly one argument"},
      {"FROM a\nWORKDIR\n", "Containerfile:2:1: WORKDIR requires exactly one argument"},
      {"FROM a\nUSER\n", "Containerfile:2:1: USER requires exactly one argument"},
      {"FROM a\nSTOPSIGNAL\n", "Containerfile:2:1: STOPSIGNAL requires exactly one argument"},
      {"FROM a\nENV\n", "Containerfile:2:1: ENV requires at least one argument"},
      {"FROM a\nLABEL\n", "Containerfile:2:1: LABEL requires at least one argument"},
      {"FROM a\nONBUILD\n", "Containerfile:2:1: ONBUILD requires at least one argument"},
      {"FROM a\nHEALTHCHECK\n", "Containerfile:2:1: HEALTHCHECK requires at least one argument"},
      {"FROM a\nEXPOSE\n", "Containerfile:2:1: EXPOSE requires at least one argument"},
      {"FROM a\nVOLUME\n", "Containerfile:2:1: VOLUME requires at least one argument"},
      {"FROM a\nARG\n", "Containerfile:2:1: ARG requires at least one argument"},
      {"FROM a\nADD arg1\n",
       "Containerfile:2:1: ADD requires at least two arguments, but only one was provided. Destination could not be "
       "determined"},
      {"FROM a\nCOPY arg1\n",
       "Containerfile:2:1: COPY requires at least two arguments, but only one was provided. Destination could not be "
       "determined"},
      {"FROM a\nCOPY\t\n\t\tquux \\\n      bar\n", "Containerfile:2:1: COPY requires at least two arguments"},
      {"FROM a\nONBUILD FROM scratch\n", "Containerfile:2:1: FROM isn't allowed as an ONBUILD trigger"},
      {"FROM a\nONBUILD MAINTAINER x\n", "Containerfile:2:1: MAINTAINER isn't allowed as an ONBUILD trigger"},
      {"FROM a\nONBUILD ONBUILD RUN touch foobar\n",
       "Containerfile:2:1: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"},
      {"FROM a\nENV =arg2\n", "Containerfile:2:1: ENV names can not be blank"},
      {"FROM a\nLABEL =arg2\n", "Containerfile:2:1: LABEL names can not be blank"},
      {"FROM a\nARG =x\n", "Containerfile:2:1: ARG names can not be blank"},
      {"FROM a\nSHELL /bin/sh -c\n", "Containerfile:2:1: SHELL requires the arguments to be in JSON form"},
      {"FROM a\nHEALTHCHECK NONE x\n", "Containerfile:2:1: HEALTHCHECK NONE takes no arguments"},
      {"FROM a\nHEALTHCHECK CMD\n", "Containerfile:2:1: Missing command after HEALTHCHECK CMD"},
      {"FROM a\nHEALTHCHECK FOO x\n", "Containerfile:2:1: Unknown type \"FOO\" in HEALTHCHECK (try CMD)"},
      {"FROM a\nHEALTHCHECK --interval=50ns CMD x\n",
       "Containerfile:2:13: Interval \"interval\" cannot be less than 1ms"},
      {"FROM a\nHEALTHCHECK --retries=-1 CMD x\n", "Containerfile:2:13: --retries cannot be negative"},
      {"FROM a\nHEALTHCHECK --timeout=5x CMD x\n",
       "Containerfile:2:13: time: unknown unit \"x\" in duration \"5x\""},
      {"FROM a b\n", "Containerfile:1:1: FROM requires either one or three arguments"},
      {"FROM a IS b\n", "Containerfile:1:1: FROM requires either one or three arguments"},
      {"FROM a AS 1st\n",
       "Containerfile:1:11: invalid name for build stage: \"1st\", name can't start with a number or contain symbols"},
      {"FROM a AS x\nFROM b AS X\n", "Containerfile:2:11: duplicate stage name \"x\""},
      {"RUN x\nFROM a\n", "Containerfile:1:1: RUN is not allowed before the first FROM (only ARG is)"},
      {"ARG x\n", "Containerfile:1:1: the Containerfile has no FROM instruction: nothing to build"},
  };
  for (const Case& c : cases) {
    Status s = CompileError(c.text);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.text;
    EXPECT_EQ(Head(s), c.head) << c.text;
  }
}

TEST(Errors, ExpansionErrors) {
  EXPECT_EQ(Head(CompileError("FROM a\nARG V\nWORKDIR ${V:?must be set}\n")),
            "Containerfile:3:9: failed to process \"${V:?must be set}\": V: must be set");
  EXPECT_EQ(Head(CompileError("FROM a\nLABEL x=${\n")),
            "Containerfile:2:9: failed to process \"${\": syntax error: missing '}'");
  EXPECT_EQ(Head(CompileError("FROM a\nCOPY ${a:b} /x\n")),
            "Containerfile:2:6: failed to process \"${a:b}\": unsupported modifier (:b) in substitution");
  EXPECT_EQ(Head(CompileError("FROM ${}\n")), "Containerfile:1:6: failed to process \"${}\": syntax error: bad substitution");
  EXPECT_EQ(Head(CompileError("ARG IMG\nFROM ${IMG}\n")), "Containerfile:2:6: base name (${IMG}) should not be blank");
  EXPECT_EQ(Head(CompileError("FROM a\nRUN --mount=type=bind,target=${X:?nope} x\n")),
            "Containerfile:2:30: failed to process \"${X:?nope}\": X: nope");
  EXPECT_EQ(Head(CompileError("FROM a\nRUN --mount=type=weird,target=/x x\n")),
            "Containerfile:2:13: invalid --mount \"type=weird,target=/x\": unsupported mount type \"weird\"");
  EXPECT_EQ(Head(CompileError("FROM a\nCOPY --from=7 /a /b\n")), "Containerfile:2:6: invalid stage index 7 in --from");
}

TEST(Errors, ExpansionCaps) {
  std::string nested;
  for (int i = 0; i < 200; ++i) nested += "${a:-";
  nested += "x";
  for (int i = 0; i < 200; ++i) nested += "}";
  Status deep = CompileError("FROM a\nLABEL x=" + nested + "\n");
  EXPECT_EQ(deep.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(Head(deep).find("variable expansion nested deeper than 64 levels"), std::string::npos) << Head(deep);
  EXPECT_EQ(Head(deep).rfind("Containerfile:2:", 0), 0u);

  // Doubling a variable 30 times would need a gigabyte.
  std::string text = "FROM a\nENV A=0123456789012345678901234567890123456789\n";
  for (int i = 0; i < 30; ++i) text += "ENV A=$A$A\n";
  Status big = CompileError(text);
  EXPECT_EQ(big.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(Head(big).find("variable expansion output exceeds the cap of 1048576 bytes"), std::string::npos)
      << Head(big);
}

TEST(Errors, DurationParser) {
  EXPECT_EQ(*ParseGoDuration("1m30s"), 90'000'000'000);
  EXPECT_EQ(*ParseGoDuration("0.5s"), 500'000'000);
  EXPECT_EQ(*ParseGoDuration("1h"), 3'600'000'000'000);
  EXPECT_EQ(*ParseGoDuration("250us"), 250'000);
  EXPECT_EQ(*ParseGoDuration("0"), 0);
  EXPECT_FALSE(ParseGoDuration("").ok());
  EXPECT_FALSE(ParseGoDuration("5").ok());
  EXPECT_FALSE(ParseGoDuration("s").ok());
}

TEST(Errors, HostileInputsDoNotCrash) {
  std::string deep_json = "CMD " + std::string(30000, '[') + std::string(30000, ']');
  EXPECT_TRUE(Parse("FROM a\n" + deep_json + "\n").ok());  // too deep for JSON: shell form
  std::string onbuilds = "FROM a\n";
  for (int i = 0; i < 5000; ++i) onbuilds += "ONBUILD ";
  onbuilds += "RUN x\n";
  EXPECT_FALSE(Parse(onbuilds).ok());
  EXPECT_TRUE(Parse("FROM a\nRUN \xff\xfe\x80 invalid utf8\n").ok());
  std::string many_continuations = "FROM a\nRUN x";
  for (int i = 0; i < 100000; ++i) many_continuations += " \\\n y";
  EXPECT_TRUE(Parse(many_continuations + "\n").ok());
}

}  // namespace
}  // namespace shale::frontend
