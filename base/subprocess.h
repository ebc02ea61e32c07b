// Running a helper program to completion: argv[0] searched in PATH, stdin
// from a string or an fd, stdout and stderr captured (each capped). Used for
// docker credential helpers and cpp; not for RUN steps (runtime/ does those).
#ifndef SHALE_BASE_SUBPROCESS_H_
#define SHALE_BASE_SUBPROCESS_H_

#include <cstddef>
#include <string>
#include <vector>

#include "base/status.h"

namespace shale {

struct ProcessOptions {
  std::string stdin_data;      // written to the child's stdin, then closed
  int stdin_fd = -1;           // when >= 0: the child's stdin instead (not closed)
  bool capture_stderr = true;  // false: stderr goes to /dev/null
  size_t max_output = 1 << 20;  // per stream; more is read and dropped
};

struct ProcessResult {
  int exit_code = -1;  // -1 when a signal ended the child
  std::string out, err;
  bool truncated = false;  // a stream exceeded max_output
  bool ok() const { return exit_code == 0; }
};

// Starts argv (argv[0] searched in PATH; the environment inherited), feeds
// stdin without blocking on a child that does not read it, drains stdout and
// stderr until both close, and reaps the child. SIGPIPE is ignored in this
// process from the first call on. Errors: the program cannot be started
// (NotFound when it is not in PATH), a pipe cannot be made. A non-zero exit
// is not an error: see ProcessResult.
Result<ProcessResult> RunProcess(const std::vector<std::string>& argv, const ProcessOptions& options = {});

}  // namespace shale

#endif  // SHALE_BASE_SUBPROCESS_H_
