// Minimal leveled logging to stderr. Quiet by default below Info;
// SHALE_LOG=debug or SetLogLevel() changes it. Never log credentials.
#ifndef SHALE_BASE_LOG_H_
#define SHALE_BASE_LOG_H_

#include <sstream>
#include <string>

namespace shale {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
void LogLine(LogLevel level, const std::string& line);

namespace internal {
class LogMessage {
 public:
  explicit LogMessage(LogLevel level) : level_(level) {}
  ~LogMessage() { LogLine(level_, stream_.str()); }
  std::ostream& stream() { return stream_; }

 private:
  LogLevel level_;
  std::ostringstream stream_;
};
}  // namespace internal

}  // namespace shale

// A for-statement rather than if/else, so `if (x) SHALE_LOG(Info) << ..;`
// has no dangling else.
#define SHALE_LOG(level)                                                            \
  for (bool shale_log_on_ = ::shale::LogLevel::k##level >= ::shale::GetLogLevel(); \
       shale_log_on_; shale_log_on_ = false)                                        \
  ::shale::internal::LogMessage(::shale::LogLevel::k##level).stream()

#endif  // SHALE_BASE_LOG_H_
