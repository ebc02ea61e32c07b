// buildkit-shell-lex: envVarTest (single word), wordsTest (split words) and
// the lex-facts.json tables.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "frontend/shell_lex.h"
#include "tests/frontend/conformance_util.h"

namespace shale::frontend {
namespace {

namespace fs = std::filesystem;
using testing::ConformanceDir;
using testing::ReadWholeFile;

fs::path LexDir() { return ConformanceDir() / "buildkit-shell-lex"; }

#define SKIP_WITHOUT_LEX()                                                                  \
  if (!fs::exists(LexDir())) {                                                             \
    GTEST_SKIP() << "conformance data absent: " << LexDir() << " (shared/ not beside the clone)"; \
  }

VarLookup MapLookup(const std::map<std::string, std::string>& env) {
  return [&env](std::string_view name) -> const std::string* {
    auto it = env.find(std::string(name));
    return it == env.end() ? nullptr : &it->second;
  };
}

std::string Trim(std::string s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

nlohmann::json Facts() {
  std::string text;
  EXPECT_TRUE(ReadWholeFile(LexDir() / "lex-facts.json", &text));
  return nlohmann::json::parse(text);
}

TEST(ShellLexConformance, EnvVarTest) {
  SKIP_WITHOUT_LEX();
  std::string text;
  ASSERT_TRUE(ReadWholeFile(LexDir() / "envVarTest", &text));
  std::map<std::string, std::string> env = {{"PWD", "/home"}, {"SHELL", "bash"}, {"KOREAN", "한국어"}, {"NULL", ""}};
  VarLookup lookup = MapLookup(env);
  std::istringstream in(text);
  std::string line;
  int run = 0, passed = 0, windows_only = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || Trim(line).empty()) continue;
    std::vector<std::string> fields;
    std::stringstream ss(line);
    std::string f;
    while (std::getline(ss, f, '|')) fields.push_back(Trim(f));
    if (line.back() == '|') fields.push_back("");
    ASSERT_EQ(fields.size(), 3u) << line;
    if (fields[0] == "W") {
      ++windows_only;
      continue;
    }
    ++run;
    Result<std::string> got = ExpandWord(fields[1], lookup);
    if (fields[2] == "error") {
      if (!got.ok()) ++passed;
      else ADD_FAILURE() << fields[1] << " expanded to " << *got << ", want an error";
    } else if (!got.ok()) {
      ADD_FAILURE() << fields[1] << ": " << got.status().ToString();
    } else if (*got != fields[2]) {
      ADD_FAILURE() << fields[1] << " -> [" << *got << "], want [" << fields[2] << "]";
    } else {
      ++passed;
    }
  }
  std::printf("buildkit envVarTest: %d/%d lines pass (%d Windows-only lines not applicable)\n", passed, run,
              windows_only);
  EXPECT_GT(run, 200);
  EXPECT_EQ(passed, run);
}

TEST(ShellLexConformance, WordsTest) {
  SKIP_WITHOUT_LEX();
  std::string text;
  ASSERT_TRUE(ReadWholeFile(LexDir() / "wordsTest", &text));
  std::map<std::string, std::string> env;
  VarLookup lookup = MapLookup(env);
  std::istringstream in(text);
  std::string line;
  int run = 0, passed = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("ENV ", 0) == 0) {
      std::string kv = line.substr(4);
      kv.erase(0, kv.find_first_not_of(' '));
      size_t eq = kv.find('=');
      env[kv.substr(0, eq)] = kv.substr(eq + 1);
      continue;
    }
    size_t bar = line.find('|');
    ASSERT_NE(bar, std::string::npos) << line;
    std::string input = Trim(line.substr(0, bar));
    std::string expected = line.substr(bar + 1);
    expected.erase(0, expected.find_first_not_of(' '));
    std::vector<std::string> want;
    std::stringstream ss(expected);
    std::string w;
    while (std::getline(ss, w, ',')) want.push_back(w);
    if (!expected.empty() && expected.back() == ',') want.push_back("");
    ++run;
    Result<std::vector<std::string>> got = ExpandWords(input, lookup);
    if (want.size() == 1 && want[0] == "error") {
      if (!got.ok()) ++passed;
      else ADD_FAILURE() << input << " must fail";
    } else if (!got.ok()) {
      ADD_FAILURE() << input << ": " << got.status().ToString();
    } else if (*got != want) {
      std::string joined;
      for (const auto& g : *got) joined += "[" + g + "]";
      ADD_FAILURE() << input << " -> " << joined;
    } else {
      ++passed;
    }
  }
  std::printf("buildkit wordsTest: %d/%d lines pass\n", passed, run);
  EXPECT_GT(run, 20);
  EXPECT_EQ(passed, run);
}

TEST(ShellLexConformance, ProcessWordWithMatches) {
  SKIP_WITHOUT_LEX();
  int run = 0, passed = 0;
  nlohmann::json facts_all = Facts();
  for (const auto& c : facts_all["process_word_with_matches"]) {
    ++run;
    auto env = c["env"].get<std::map<std::string, std::string>>();
    std::string input = c["input"].get<std::string>();
    Result<Expansion> got = Expand(input, MapLookup(env));
    if (c.contains("error")) {
      EXPECT_FALSE(got.ok()) << input;
      if (!got.ok()) ++passed;
      continue;
    }
    ASSERT_TRUE(got.ok()) << input << ": " << got.status().ToString();
    EXPECT_EQ(got->word, c["result"].get<std::string>()) << input;
    auto matched = c["matched"].get<std::set<std::string>>();
    auto unmatched = c["unmatched"].get<std::set<std::string>>();
    EXPECT_EQ(got->matched, matched) << input;
    EXPECT_EQ(got->unmatched, unmatched) << input;
    if (got->word == c["result"].get<std::string>() && got->matched == matched && got->unmatched == unmatched) ++passed;
  }
  std::printf("buildkit lex facts (process_word_with_matches): %d/%d\n", passed, run);
  EXPECT_EQ(passed, run);
}

TEST(ShellLexConformance, MandatoryVarsPlatformEnvList) {
  SKIP_WITHOUT_LEX();
  nlohmann::json facts = Facts();
  for (const auto& c : facts["mandatory_vars"]["cases"]) {
    auto env = c["env"].get<std::map<std::string, std::string>>();
    Result<std::string> got = ExpandWord(c["input"].get<std::string>(), MapLookup(env));
    if (c.contains("error_contains")) {
      ASSERT_FALSE(got.ok());
      EXPECT_NE(got.status().message().find(c["error_contains"].get<std::string>()), std::string::npos)
          << got.status().message();
    } else {
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      EXPECT_EQ(*got, c["result"].get<std::string>());
    }
  }
  std::string input = facts["platform_example"]["input"].get<std::string>();
  for (const auto& c : facts["platform_example"]["cases"]) {
    auto env = c["env"].get<std::map<std::string, std::string>>();
    Result<std::string> got = ExpandWord(input, MapLookup(env));
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(*got, c["result"].get<std::string>());
  }
}

TEST(ShellLexConformance, ShellPatternToRegex) {
  SKIP_WITHOUT_LEX();
  nlohmann::json facts = Facts()["shell_pattern_to_regex"];
  for (const auto& c : facts["cases"]) {
    Result<std::string> got = ShellPatternToRegex(c["pattern"].get<std::string>(), true, true);
    ASSERT_TRUE(got.ok()) << c["pattern"];
    EXPECT_EQ(*got, c["regex"].get<std::string>());
  }
  for (const auto& p : facts["invalid"]) {
    EXPECT_FALSE(ShellPatternToRegex(p.get<std::string>(), true, true).ok()) << p;
  }
}

}  // namespace
}  // namespace shale::frontend
