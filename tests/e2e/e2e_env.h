// End-to-end helpers: the seed build (testdata/seed) in a fresh store, step
// statistics from `--progress json`, an unprivileged test user, a process
// started in the background and killed by pid, HTTP checks with curl.
#ifndef SHALE_TESTS_E2E_E2E_ENV_H_
#define SHALE_TESTS_E2E_E2E_ENV_H_

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "tests/testutil/subprocess.h"

namespace shale::testing::e2e {

// SOURCE_DATE_EPOCH of the reproducible builds (2024-01-01T00:00:00Z).
inline constexpr char kEpoch[] = "1704067200";
// The seed Containerfile: 12 steps, 2 of them FROM (no cache event).
inline constexpr int kSeedSteps = 12;
inline constexpr int kSeedCacheableSteps = 10;

// Runs `shale --root ROOT ARGS...` with an environment cleaned of the
// variables that change shale's behaviour behind a test's back
// (BUILDAH_*/SHALE_* settings, SOURCE_DATE_EPOCH, REGISTRY_AUTH_FILE);
// `options.env` sets what a test wants.
CommandResult Shale(const std::string& root, const std::vector<std::string>& args,
                    const CommandOptions& options = {});

// Imports busybox (+ runtime:latest) and golang (+ golang:bookworm) into the
// store at `root`. Returns "" or why it failed.
std::string PrepareSeedStore(const std::string& root);

// Copies testdata/seed to `dir` (created); returns `dir`.
std::string CopySeedContext(const std::string& dir);

struct ImageIds {
  std::string id;      // config digest hex (shale's image id)
  std::string digest;  // manifest digest, sha256:...
};
// `shale inspect` of `image` in `root`; empty fields on failure.
ImageIds InspectIds(const std::string& root, const std::string& image, const CommandOptions& options = {});

// Per-step outcome of a build run with `--progress json`.
struct StepStats {
  std::map<int, bool> cache_hit;  // step number -> cache event "hit"
  std::vector<int> executed;      // steps with a "done" event (ran)
  std::string commit_id;          // the "commit" event's id
  int CacheHits() const;
};
StepStats ParseJsonProgress(const std::string& output);

// Counts occurrences of `needle` in `text`.
int CountOf(const std::string& text, const std::string& needle);

// An ordinary user with an /etc/subuid and /etc/subgid range, made if
// missing. Empty name (and the reason in *why) when it cannot be had.
struct TestUser {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
};
TestUser EnsureTestUser(std::string* why);
// argv run as `user` (setpriv, with its groups), HOME and TMPDIR set to `home`.
CommandResult RunAs(const TestUser& user, const std::string& home, const std::vector<std::string>& argv,
                    CommandOptions options = {});

// A free TCP port on 127.0.0.1.
int FreePort();

// A command started in the background (own process group), output to a
// file; killed by pid (its group) on destruction.
class BackgroundProcess {
 public:
  BackgroundProcess(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                    const std::string& log_path);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;
  pid_t pid() const { return pid_; }
  bool Running();

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
};

// GETs `url` until it answers 200 or `seconds` pass; the body, or "" (and
// the last curl output in *why).
std::string WaitForHttp(const std::string& url, int seconds, std::string* why);

// Trims trailing whitespace.
std::string TrimRight(std::string s);

}  // namespace shale::testing::e2e

#endif  // SHALE_TESTS_E2E_E2E_ENV_H_
