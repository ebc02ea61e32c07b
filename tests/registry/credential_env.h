// A test fixture base that isolates credential lookups from the machine:
// REGISTRY_AUTH_FILE and DOCKER_CONFIG unset, HOME, XDG_RUNTIME_DIR and PATH
// pointing into a scratch dir (home/, run/, bin/); all restored afterwards.
#ifndef SHALE_TESTS_REGISTRY_CREDENTIAL_ENV_H_
#define SHALE_TESTS_REGISTRY_CREDENTIAL_ENV_H_

#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tests/testutil/subprocess.h"

namespace shale::testing {

class CredentialEnvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* v : {"REGISTRY_AUTH_FILE", "DOCKER_CONFIG", "HOME", "XDG_RUNTIME_DIR", "PATH"}) {
      const char* old = std::getenv(v);
      saved_.emplace_back(v, old ? std::optional<std::string>(old) : std::nullopt);
      unsetenv(v);
    }
    setenv("HOME", (dir_ / "home").c_str(), 1);
    setenv("XDG_RUNTIME_DIR", (dir_ / "run").c_str(), 1);
    setenv("PATH", (dir_ / "bin").c_str(), 1);
  }
  void TearDown() override {
    for (auto& [k, v] : saved_) {
      if (v) {
        setenv(k.c_str(), v->c_str(), 1);
      } else {
        unsetenv(k.c_str());
      }
    }
  }

  ScratchDir dir_{"shale-creds"};
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

}  // namespace shale::testing

#endif  // SHALE_TESTS_REGISTRY_CREDENTIAL_ENV_H_
