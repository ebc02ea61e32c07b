#include "runtime/step_init.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <charconv>

#include "base/fd.h"

// The init executable, pulled in at build time (SHALE_STEP_INIT_PATH is set
// by runtime/CMakeLists.txt to the linked shale-step-init).
asm(".pushsection .rodata\n"
    ".balign 16\n"
    ".global shale_step_init_begin\n"
    "shale_step_init_begin:\n"
    ".incbin \"" SHALE_STEP_INIT_PATH "\"\n"
    ".global shale_step_init_end\n"
    "shale_step_init_end:\n"
    ".popsection\n");

extern "C" const char shale_step_init_begin[];
extern "C" const char shale_step_init_end[];

namespace shale::runtime {

std::string_view StepInitBinary() {
  return std::string_view(shale_step_init_begin, static_cast<size_t>(shale_step_init_end - shale_step_init_begin));
}

Status WriteStepInit(const std::string& path) {
  // Scratch data: no fsync. Closed before any runtime starts, so exec of
  // it does not meet ETXTBSY from our own write fd.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0555);
  if (fd < 0) return ErrnoToStatus(errno, "writing the step init " + path);
  UniqueFd guard(fd);
  RETURN_IF_ERROR(WriteAll(fd, StepInitBinary()).Annotate("writing the step init " + path));
  if (::close(guard.Release()) != 0) return ErrnoToStatus(errno, "writing the step init " + path);
  return Status::Ok();
}

std::optional<Result<ExitStatus>> ParseStepInitReport(std::string_view report, const std::string& command) {
  size_t sp = report.find(' ');
  if (sp == std::string_view::npos || report.empty() || report.back() != '\n') return std::nullopt;
  std::string_view kind = report.substr(0, sp);
  std::string_view num = report.substr(sp + 1, report.size() - sp - 2);
  int value = 0;
  auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), value);
  if (ec != std::errc() || end != num.data() + num.size() || num.empty() || value < 0) return std::nullopt;
  ExitStatus st;
  if (kind == "exit") {
    st.exit_code = value;
  } else if (kind == "signal") {
    st.signal = value;
  } else if (kind == "exec") {
    if (value == ENOENT) {
      return Result<ExitStatus>(NotFoundError("exec " + command + ": executable file not found"));
    }
    return Result<ExitStatus>(ErrnoToStatus(value, "exec " + command));
  } else {
    return std::nullopt;
  }
  return Result<ExitStatus>(st);
}

}  // namespace shale::runtime
