// The BuildKit parser corpus: every testfiles/<case> dumps to its `result`
// byte for byte, every testfiles-negative case fails, line numbers, heredoc
// extraction and the unit facts hold.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "frontend/heredoc.h"
#include "frontend/internal/json_array.h"
#include "frontend/internal/line_parsers.h"
#include "frontend/instructions.h"
#include "frontend/parser.h"
#include "tests/frontend/conformance_util.h"

namespace shale::frontend {
namespace {

namespace fs = std::filesystem;
using testing::ConformanceDir;
using testing::ReadWholeFile;

fs::path ParserDir() { return ConformanceDir() / "buildkit-dockerfile-parser"; }

#define SKIP_WITHOUT_CORPUS()                                                           \
  if (!fs::exists(ParserDir())) {                                                      \
    GTEST_SKIP() << "conformance data absent: " << ParserDir() << " (shared/ not beside the clone)"; \
  }

nlohmann::json Facts() {
  std::string text;
  EXPECT_TRUE(ReadWholeFile(ParserDir() / "unit-facts.json", &text));
  return nlohmann::json::parse(text);
}

TEST(ParserConformance, PositiveCasesDumpExactly) {
  SKIP_WITHOUT_CORPUS();
  int total = 0, passed = 0;
  std::vector<fs::path> cases;
  for (const auto& entry : fs::directory_iterator(ParserDir() / "testfiles")) cases.push_back(entry.path());
  std::sort(cases.begin(), cases.end());
  for (const fs::path& dir : cases) {
    ++total;
    std::string text, expected;
    ASSERT_TRUE(ReadWholeFile(dir / "Dockerfile", &text));
    ASSERT_TRUE(ReadWholeFile(dir / "result", &expected));
    Result<Ast> ast = Parse(text, "Dockerfile");
    if (!ast.ok()) {
      ADD_FAILURE() << dir.filename() << ": " << ast.status().ToString();
      continue;
    }
    std::string got = DumpAst(*ast);
    if (got == expected) {
      ++passed;
    } else {
      ADD_FAILURE() << dir.filename() << "\n--- expected\n" << expected << "--- got\n" << got;
    }
  }
  std::printf("buildkit parser corpus: %d/%d positive cases reproduce their result\n", passed, total);
  EXPECT_EQ(total, 33);
  EXPECT_EQ(passed, total);
}

TEST(ParserConformance, NegativeCasesFail) {
  SKIP_WITHOUT_CORPUS();
  int total = 0, failed = 0;
  for (const auto& entry : fs::directory_iterator(ParserDir() / "testfiles-negative")) {
    ++total;
    std::string text;
    ASSERT_TRUE(ReadWholeFile(entry.path() / "Dockerfile", &text));
    Result<Ast> ast = Parse(text, "Dockerfile");
    if (!ast.ok()) {
      ++failed;
    } else {
      ADD_FAILURE() << entry.path().filename() << " parsed but must fail";
    }
  }
  std::printf("buildkit parser corpus: %d/%d negative cases fail\n", failed, total);
  EXPECT_EQ(total, 4);
  EXPECT_EQ(failed, total);
}

TEST(ParserConformance, LineNumbers) {
  SKIP_WITHOUT_CORPUS();
  nlohmann::json facts = Facts()["line_numbers"];
  std::string text;
  ASSERT_TRUE(ReadWholeFile(ParserDir() / facts["file"].get<std::string>(), &text));
  Result<Ast> ast = Parse(text);
  ASSERT_TRUE(ast.ok()) << ast.status().ToString();
  EXPECT_EQ(ast->start_line, facts["root"]["start_line"].get<int>());
  EXPECT_EQ(ast->end_line, facts["root"]["end_line"].get<int>());
  ASSERT_EQ(ast->children.size(), facts["children"].size());
  for (size_t i = 0; i < ast->children.size(); ++i) {
    EXPECT_EQ(ast->children[i].start_line, facts["children"][i][0].get<int>()) << i;
    EXPECT_EQ(ast->children[i].end_line, facts["children"][i][1].get<int>()) << i;
  }
}

TEST(ParserConformance, HeredocExtraction) {
  SKIP_WITHOUT_CORPUS();
  std::string text, expected_text;
  ASSERT_TRUE(ReadWholeFile(ParserDir() / "heredoc-extract" / "Dockerfile", &text));
  ASSERT_TRUE(ReadWholeFile(ParserDir() / "heredoc-extract" / "expected-heredocs.json", &expected_text));
  Result<Ast> ast = Parse(text);
  ASSERT_TRUE(ast.ok()) << ast.status().ToString();
  nlohmann::json expected = nlohmann::json::parse(expected_text);
  int checked = 0;
  for (const auto& item : expected) {
    size_t index = item["child_index"].get<size_t>();
    ASSERT_LT(index, ast->children.size());
    const Node& node = ast->children[index];
    SCOPED_TRACE(item["instruction"].get<std::string>());
    if (item["heredocs"].is_null()) {
      EXPECT_TRUE(node.heredocs.empty());
    } else {
      ASSERT_EQ(node.heredocs.size(), item["heredocs"].size());
      for (size_t i = 0; i < node.heredocs.size(); ++i) {
        const auto& want = item["heredocs"][i];
        EXPECT_EQ(node.heredocs[i].name, want["name"].get<std::string>());
        EXPECT_EQ(node.heredocs[i].file_descriptor, want["file_descriptor"].get<int>());
        EXPECT_EQ(node.heredocs[i].expand, want["expand"].get<bool>());
        EXPECT_EQ(node.heredocs[i].chomp, want["chomp"].get<bool>());
        EXPECT_EQ(node.heredocs[i].content, want["content"].get<std::string>());
      }
    }
    ++checked;
  }
  std::printf("buildkit heredoc extraction: %d/%zu instructions checked\n", checked, expected.size());
  EXPECT_EQ(ast->children.size(), expected.size() + 1);
}

TEST(ParserConformance, JsonArrayFacts) {
  SKIP_WITHOUT_CORPUS();
  nlohmann::json facts = Facts()["json_array_syntax"];
  for (const auto& c : facts["valid"]) {
    std::vector<std::string> words;
    ASSERT_EQ(internal::ParseJsonStringArray(c["input"].get<std::string>(), &words), internal::JsonArrayResult::kOk)
        << c["input"];
    EXPECT_EQ(words, c["words"].get<std::vector<std::string>>());
  }
  for (const auto& c : facts["not_string_array"]) {
    std::vector<std::string> words;
    EXPECT_EQ(internal::ParseJsonStringArray(c.get<std::string>(), &words),
              internal::JsonArrayResult::kNotStringArray)
        << c;
    Result<Ast> ast = Parse("CMD " + c.get<std::string>());
    ASSERT_FALSE(ast.ok());
    EXPECT_NE(ast.status().message().find("when using JSON array syntax, arrays must be comprised of strings only"),
              std::string::npos);
  }
}

TEST(ParserConformance, ParseWordsFacts) {
  SKIP_WITHOUT_CORPUS();
  nlohmann::json facts_all = Facts();
  for (const auto& c : facts_all["parse_words"]["cases"]) {
    EXPECT_EQ(internal::ParseWords(c["input"].get<std::string>(), '\\'), c["words"].get<std::vector<std::string>>())
        << c["input"];
  }
}

TEST(ParserConformance, NameValueNodes) {
  SKIP_WITHOUT_CORPUS();
  nlohmann::json facts_all = Facts();
  for (const auto& c : facts_all["name_value_nodes"]["cases"]) {
    std::string line = c["instruction"].get<std::string>() + " " + c["args"].get<std::string>();
    Result<Ast> ast = Parse("FROM x\n" + line + "\n");
    if (c.contains("error")) {
      ASSERT_FALSE(ast.ok()) << line;
      EXPECT_NE(ast.status().message().find(c["error"].get<std::string>()), std::string::npos)
          << ast.status().message();
    } else {
      ASSERT_TRUE(ast.ok()) << ast.status().ToString();
      EXPECT_EQ(ast->children[1].args, c["chain"].get<std::vector<std::string>>());
    }
  }
}

TEST(ParserConformance, EmptyContinuationWarnings) {
  SKIP_WITHOUT_CORPUS();
  nlohmann::json facts = Facts()["empty_continuation_warnings"];
  Result<Ast> ast = Parse(facts["dockerfile"].get<std::string>());
  ASSERT_TRUE(ast.ok()) << ast.status().ToString();
  ASSERT_EQ(ast->warnings.size(), facts["warnings_contain"].size());
  for (size_t i = 0; i < ast->warnings.size(); ++i) {
    EXPECT_NE(ast->warnings[i].message.find("Empty continuation line found in: "), std::string::npos);
    EXPECT_NE(ast->warnings[i].message.find(facts["warnings_contain"][i].get<std::string>()), std::string::npos)
        << ast->warnings[i].message;
    EXPECT_EQ(ast->warnings[i].detail, "Empty continuation lines will become errors in a future release");
  }
}

TEST(ParserConformance, ParseErrors) {
  SKIP_WITHOUT_CORPUS();
  nlohmann::json facts_all = Facts();
  for (const auto& c : facts_all["parse_errors"]) {
    std::string text = c["dockerfile"].get<std::string>();
    size_t marker = text.find("<65536 times 'a'>");
    if (marker != std::string::npos) text.replace(marker, 17, std::string(65536, 'a'));
    Result<Ast> ast = Parse(text);
    ASSERT_FALSE(ast.ok());
    std::string want = c.contains("error") ? c["error"].get<std::string>() : c["error_contains"].get<std::string>();
    EXPECT_NE(ast.status().message().find(want), std::string::npos) << ast.status().message();
  }
}

TEST(ParserConformance, HeredocWords) {
  SKIP_WITHOUT_CORPUS();
  nlohmann::json facts = Facts()["heredoc_word"];
  for (const auto& w : facts["valid_name_EOF"]) {
    auto doc = ParseHeredocWord(w.get<std::string>());
    ASSERT_TRUE(doc.ok()) << w;
    ASSERT_TRUE(doc->has_value()) << w;
    EXPECT_EQ((*doc)->name, "EOF") << w;
  }
  for (const auto& w : facts["invalid"]) {
    EXPECT_FALSE(ParseHeredocWord(w.get<std::string>()).ok()) << w;
  }
  for (const auto& w : facts["not_heredoc"]) {
    auto doc = ParseHeredocWord(w.get<std::string>());
    ASSERT_TRUE(doc.ok()) << w;
    EXPECT_FALSE(doc->has_value()) << w;
  }
  nlohmann::json facts_all = Facts();
  for (const auto& c : facts_all["heredocs_from_line"]["cases"]) {
    auto docs = HeredocsFromLine(c["line"].get<std::string>());
    ASSERT_TRUE(docs.ok()) << c["line"];
    std::vector<std::string> names;
    for (const auto& d : *docs) names.push_back(d.name);
    EXPECT_EQ(names, c["names"].get<std::vector<std::string>>()) << c["line"];
  }
  nlohmann::json json_form = Facts()["heredoc_json_form"];
  Result<Ast> ast = Parse(json_form["dockerfile"].get<std::string>());
  ASSERT_TRUE(ast.ok());
  for (const auto& i : json_form["children_without_heredocs"]) {
    EXPECT_TRUE(ast->children[i.get<size_t>()].heredocs.empty());
  }
  nlohmann::json chomp = Facts()["heredoc_chomp"];
  EXPECT_EQ(ChompHeredocContent(chomp["input"].get<std::string>()), chomp["output"].get<std::string>());
}

}  // namespace
}  // namespace shale::frontend

namespace shale::frontend {
namespace {

TEST(ParserConformance, DocComments) {
  SKIP_WITHOUT_CORPUS();
  const nlohmann::json fact = Facts()["doc_comments"];
  const std::string text = fact["dockerfile"];
  Result<Ast> ast = Parse(text, "Dockerfile");
  ASSERT_TRUE(ast.ok()) << ast.status().ToString();
  Result<ParsedFile> file = ParseInstructions(*ast, text, "Dockerfile");
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  const auto& expect = fact["expect"];
  ASSERT_EQ(file->global_args.size(), 1u);
  ASSERT_EQ(file->global_args[0].arg_decls.size(), 1u);
  EXPECT_EQ(file->global_args[0].arg_decls[0].key, expect["meta_arg0"]["key"]);
  EXPECT_EQ(file->global_args[0].arg_decls[0].doc, expect["meta_arg0"]["doc"]);
  ASSERT_EQ(file->stages.size(), 1u);
  const ParsedStage& stage = file->stages[0];
  EXPECT_EQ(stage.from.doc, expect["stage0_doc"]);
  ASSERT_GE(stage.commands.size(), 2u);
  ASSERT_EQ(stage.commands[0].arg_decls.size(), 1u);
  EXPECT_EQ(stage.commands[0].arg_decls[0].key, expect["stage0_cmd0_arg0"]["key"]);
  EXPECT_EQ(stage.commands[0].arg_decls[0].doc, expect["stage0_cmd0_arg0"]["doc"]);
  const auto& args = expect["stage0_cmd1_args"];
  ASSERT_EQ(stage.commands[1].arg_decls.size(), args.size());
  for (size_t i = 0; i < args.size(); ++i) {
    EXPECT_EQ(stage.commands[1].arg_decls[i].key, args[i]["key"]);
    EXPECT_EQ(stage.commands[1].arg_decls[i].doc, args[i]["doc"]);
  }
}

}  // namespace
}  // namespace shale::frontend
