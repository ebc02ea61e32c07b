// --log-rusage: what a build step cost, in buildah's words:
//   "0.004s (system) 0.012s (user) 0.153s (elapsed) 0/8 (input/output blocks)"
// Measured as the difference in this process's RUSAGE_CHILDREN (reaped
// children: the step's processes) and wall time across the step. When
// stages run concurrently, a step's figures include the other stages'
// children reaped meanwhile (use --jobs 1 for exact per-step numbers).
#ifndef SHALE_BUILDER_RUSAGE_H_
#define SHALE_BUILDER_RUSAGE_H_

#include <sys/resource.h>

#include <chrono>
#include <string>

namespace shale {

struct RusageSample {
  double system_seconds = 0, user_seconds = 0, elapsed_seconds = 0;
  long input_blocks = 0, output_blocks = 0;
};

// "<sys>s (system) <user>s (user) <elapsed>s (elapsed) <in>/<out> (input/output blocks)"
std::string FormatRusage(const RusageSample& s);

class RusageMeter {
 public:
  RusageMeter();
  // The sample since construction, formatted.
  std::string Line() const;

 private:
  struct rusage start_;
  std::chrono::steady_clock::time_point t0_;
};

}  // namespace shale

#endif  // SHALE_BUILDER_RUSAGE_H_
