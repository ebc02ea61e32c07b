// Integration helpers: start the real registry (tests/fixtures/registry_fixture.sh)
// and the fault proxy, make test images, run shale/skopeo.
#ifndef SHALE_TESTS_REGISTRY_REGISTRY_ENV_H_
#define SHALE_TESTS_REGISTRY_REGISTRY_ENV_H_

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "tests/testutil/subprocess.h"

namespace shale::testing {

// Why the integration suite cannot run here, or "" when it can.
inline std::string MissingRegistryTools() {
  for (const char* t : {"docker-registry", "openssl", "curl", "python3", "htpasswd", "skopeo"})
    if (!HaveTool(t)) return std::string(t) + " not installed (run .ci/deps test)";
  return "";
}

class TestRegistry {
 public:
  // mode: plain | basic | token. Empty host() when it failed (see error()).
  TestRegistry(const std::string& dir, const std::string& mode) : dir_(dir) {
    auto r = Run({"bash", SourceDir() + "/tests/fixtures/registry_fixture.sh", "start", "--dir", dir, "--mode", mode},
                 {.timeout_seconds = 60});
    error_ = r.output;
    if (r.exit_code != 0) return;
    std::istringstream in(r.output);
    std::string line;
    while (std::getline(in, line)) {
      auto eq = line.find('=');
      if (eq != std::string::npos && eq > 0 && line.find(' ') > eq) vars_[line.substr(0, eq)] = line.substr(eq + 1);
    }
  }
  ~TestRegistry() {
    Run({"bash", SourceDir() + "/tests/fixtures/registry_fixture.sh", "stop", "--dir", dir_}, {.timeout_seconds = 30});
  }
  std::string host() const { return Var("HOST"); }
  std::string cert_dir() const { return Var("CERT_DIR"); }
  std::string user() const { return Var("USER"); }
  std::string password() const { return Var("PASSWORD"); }
  std::string creds() const { return user() + ":" + password(); }
  const std::string& error() const { return error_; }
  std::string dir() const { return dir_; }
  std::string Var(const std::string& k) const {
    auto it = vars_.find(k);
    return it == vars_.end() ? "" : it->second;
  }

 private:
  std::string dir_;
  std::string error_;
  std::map<std::string, std::string> vars_;
};

// The fault proxy (tests/registry/fault_proxy.py), killed by pid on destruction.
class FaultProxy {
 public:
  FaultProxy(const std::string& upstream, const std::string& rules_json, const std::string& log) {
    int out[2];
    if (pipe(out) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], 1);
      close(out[0]);
      close(out[1]);
      std::string script = SourceDir() + "/tests/registry/fault_proxy.py";
      execlp("python3", "python3", script.c_str(), "--upstream", upstream.c_str(), "--rules", rules_json.c_str(),
             "--log", log.c_str(), nullptr);
      _exit(127);
    }
    close(out[1]);
    std::string got;
    char c;
    while (read(out[0], &c, 1) == 1 && c != '\n') got += c;
    close(out[0]);
    if (got.rfind("PORT=", 0) == 0) host_ = "127.0.0.1:" + got.substr(5);
  }
  ~FaultProxy() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  const std::string& host() const { return host_; }

 private:
  pid_t pid_ = -1;
  std::string host_;
};

// Adds an image to the OCI layout at `layout` under ref.name `ref`; returns its
// manifest digest, or "" with the output in *err.
inline std::string MakeImage(const std::string& layout, const std::string& ref, const std::vector<std::string>& extra,
                             std::string* err) {
  std::vector<std::string> argv{"python3", SourceDir() + "/tests/fixtures/registry_image.py", "--layout", layout,
                                "--ref", ref};
  argv.insert(argv.end(), extra.begin(), extra.end());
  auto r = Run(argv, {.timeout_seconds = 120});
  if (r.exit_code != 0) {
    *err = r.output;
    return "";
  }
  std::string out = r.output;
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

inline CommandResult Shale(const std::vector<std::string>& args, const CommandOptions& o = {}) {
  std::vector<std::string> argv{ShaleBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandOptions opts = o;
  opts.unset_env.push_back("REGISTRY_AUTH_FILE");
  if (opts.env.find("CONTAINERS_REGISTRIES_CONF") == opts.env.end())
    opts.env["CONTAINERS_REGISTRIES_CONF"] = "/nonexistent/registries.conf";
  return Run(argv, opts);
}

inline std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

}  // namespace shale::testing

#endif  // SHALE_TESTS_REGISTRY_REGISTRY_ENV_H_
