#include "registry/credential_helper.h"

#include <cctype>
#include <nlohmann/json.hpp>

#include "base/subprocess.h"
#include "registry/credentials.h"

namespace shale {
namespace {

using json = nlohmann::json;
constexpr size_t kMaxHelperOutput = 1 << 20;
constexpr char kTokenUser[] = "<token>";

struct HelperRun {
  bool ok = false;     // exited 0
  int exit_code = -1;  // -1: killed by a signal
  std::string output;  // stdout
};

// Runs `docker-credential-<helper> <action>` with `input` on stdin; stderr is
// discarded (helpers may print anything there).
Result<HelperRun> RunHelper(const std::string& helper, const char* action, const std::string& input) {
  if (helper.empty()) return InvalidArgumentError("empty credential helper name");
  for (char c : helper)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return InvalidArgumentError("bad credential helper name \"" + helper + "\"");
  std::string prog = "docker-credential-" + helper;
  ProcessOptions options;
  options.stdin_data = input;
  options.capture_stderr = false;  // helpers may print anything there
  options.max_output = kMaxHelperOutput;
  ASSIGN_OR_RETURN(ProcessResult r, RunProcess({prog, action}, options));
  if (r.truncated) return ResourceExhaustedError(prog + " printed more than 1 MiB");
  HelperRun run;
  run.exit_code = r.exit_code;
  run.ok = r.ok();
  run.output = std::move(r.out);
  return run;
}

bool SaysNotFound(const HelperRun& run) { return run.output.find("credentials not found") != std::string::npos; }

// "docker-credential-x store failed (exit status 1): <reason>"; the reason is
// the helper's first output line, left out when it holds the secret.
Status HelperFailure(const std::string& helper, const char* action, const HelperRun& run, const std::string& secret) {
  std::string reason = run.output.substr(0, run.output.find('\n'));
  if (reason.size() > 200) reason = reason.substr(0, 200) + "…";
  if (!secret.empty() && run.output.find(secret) != std::string::npos) reason.clear();
  return UnavailableError("docker-credential-" + helper + " " + action + " failed (exit status " +
                          std::to_string(run.exit_code) + ")" + (reason.empty() ? "" : ": " + reason));
}

}  // namespace

std::string CredentialHelperServer(const std::string& registry) {
  return registry == "docker.io" ? "https://index.docker.io/v1/" : registry;
}

Result<std::optional<Credentials>> RunCredentialHelper(const std::string& helper, const std::string& server) {
  ASSIGN_OR_RETURN(HelperRun run, RunHelper(helper, "get", server));
  if (!run.ok) {
    if (SaysNotFound(run)) return std::optional<Credentials>();
    // get's output is not quoted: a confused helper might print credentials.
    return UnavailableError("docker-credential-" + helper + " get failed (exit status " +
                            std::to_string(run.exit_code) + ")");
  }
  json doc = json::parse(run.output, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return InvalidArgumentError("docker-credential-" + helper + " get: output is not a JSON object");
  Credentials c;
  if (auto u = doc.find("Username"); u != doc.end() && u->is_string()) c.username = u->get<std::string>();
  if (auto s = doc.find("Secret"); s != doc.end() && s->is_string()) c.password = s->get<std::string>();
  if (c.username == kTokenUser) {
    c.identity_token = c.password;
    c.username.clear();
    c.password.clear();
  }
  if (c.empty()) return std::optional<Credentials>();
  return std::optional<Credentials>(c);
}

Status StoreInCredentialHelper(const std::string& helper, const std::string& server, const Credentials& creds) {
  bool token = !creds.identity_token.empty();
  std::string secret = token ? creds.identity_token : creds.password;
  json doc{{"ServerURL", server}, {"Username", token ? std::string(kTokenUser) : creds.username}, {"Secret", secret}};
  ASSIGN_OR_RETURN(HelperRun run, RunHelper(helper, "store", doc.dump()));
  if (!run.ok) return HelperFailure(helper, "store", run, secret);
  return Status::Ok();
}

Status EraseFromCredentialHelper(const std::string& helper, const std::string& server) {
  ASSIGN_OR_RETURN(HelperRun run, RunHelper(helper, "erase", server));
  if (run.ok) return Status::Ok();
  if (SaysNotFound(run)) return NotFoundError("docker-credential-" + helper + ": credentials for " + server + " not found");
  return HelperFailure(helper, "erase", run, "");
}

}  // namespace shale
