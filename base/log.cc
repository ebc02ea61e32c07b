#include "base/log.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace shale {
namespace {

LogLevel InitialLevel() {
  const char* env = std::getenv("SHALE_LOG");
  if (env == nullptr) return LogLevel::kInfo;
  if (std::strcmp(env, "debug") == 0) return LogLevel::kDebug;
  if (std::strcmp(env, "warning") == 0) return LogLevel::kWarning;
  if (std::strcmp(env, "error") == 0) return LogLevel::kError;
  return LogLevel::kInfo;
}

std::atomic<LogLevel>& Level() {
  static std::atomic<LogLevel> level{InitialLevel()};
  return level;
}

}  // namespace

void SetLogLevel(LogLevel level) { Level().store(level); }
LogLevel GetLogLevel() { return Level().load(); }

void LogLine(LogLevel level, const std::string& line) {
  static std::mutex mu;
  const char* prefix = level == LogLevel::kWarning ? "WARN: " : level == LogLevel::kError ? "Error: " : "";
  std::lock_guard<std::mutex> lock(mu);
  std::fprintf(stderr, "%s%s\n", prefix, line.c_str());
}

}  // namespace shale
