#include "builder/rusage.h"

#include <cstdio>
#include <cstring>

namespace shale {
namespace {

double Seconds(const struct timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; }

}  // namespace

std::string FormatRusage(const RusageSample& s) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "%.3fs (system) %.3fs (user) %.3fs (elapsed) %ld/%ld (input/output blocks)",
                s.system_seconds, s.user_seconds, s.elapsed_seconds, s.input_blocks, s.output_blocks);
  return buf;
}

RusageMeter::RusageMeter() : t0_(std::chrono::steady_clock::now()) {
  std::memset(&start_, 0, sizeof start_);
  ::getrusage(RUSAGE_CHILDREN, &start_);
}

std::string RusageMeter::Line() const {
  struct rusage now;
  std::memset(&now, 0, sizeof now);
  ::getrusage(RUSAGE_CHILDREN, &now);
  RusageSample s;
  s.system_seconds = Seconds(now.ru_stime) - Seconds(start_.ru_stime);
  s.user_seconds = Seconds(now.ru_utime) - Seconds(start_.ru_utime);
  s.elapsed_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
  s.input_blocks = now.ru_inblock - start_.ru_inblock;
  s.output_blocks = now.ru_oublock - start_.ru_oublock;
  return FormatRusage(s);
}

}  // namespace shale
