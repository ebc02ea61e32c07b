#include "builder/containerfile_cpp.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "base/fd.h"
#include "base/subprocess.h"

namespace shale {
namespace {

constexpr size_t kMaxOutput = 16u << 20;

bool FindInPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  std::stringstream ss(dirs);
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    std::string p = (dir.empty() ? "." : dir) + "/" + name;
    if (::access(p.c_str(), X_OK) == 0) return true;
  }
  return false;
}

// cpp's stderr as one line: its source excerpts ("  1 | ...", "    |   ^")
// dropped, the rest joined with blanks.
std::string OneLine(const std::string& text) {
  std::stringstream ss(text);
  std::string line, out;
  while (std::getline(ss, line)) {
    size_t bar = line.find(" | ");
    bool excerpt = bar != std::string::npos && line.find_first_not_of(" 0123456789") == bar + 1;
    if (excerpt || line.find_first_not_of(" \t") == std::string::npos) continue;
    if (!out.empty()) out += ' ';
    out += line;
  }
  return out;
}

}  // namespace

bool NeedsPreprocessing(const std::string& path) { return path.size() > 3 && path.ends_with(".in"); }

Result<PreprocessedFile> PreprocessContainerfile(const std::string& path, const std::string& context_dir,
                                                 const std::vector<std::string>& cpp_flags) {
  if (!FindInPath("cpp"))
    return FailedPreconditionError("preprocessing " + path +
                                   ": Containerfiles ending in .in need cpp (Debian package cpp), which is not installed");
  std::vector<std::string> args = {"cpp", "-E", "-iquote", context_dir, "-traditional", "-undef", "-"};
  if (const char* env = std::getenv("BUILDAH_CPPFLAGS")) {
    std::stringstream ss(env);
    std::string word;
    while (ss >> word) args.push_back(word);
  }
  args.insert(args.end(), cpp_flags.begin(), cpp_flags.end());

  UniqueFd in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.valid()) return ErrnoToStatus(errno, "open " + path);
  ProcessOptions options;
  options.stdin_fd = in.get();
  options.max_output = kMaxOutput;
  ASSIGN_OR_RETURN(ProcessResult run, RunProcess(args, options));
  if (run.truncated) return ResourceExhaustedError("preprocessing " + path + ": cpp output exceeds 16 MiB");
  PreprocessedFile result;
  result.text = std::move(run.out);
  if (!run.ok()) {
    if (result.text.empty())
      return InvalidArgumentError("preprocessing " + path + ": cpp failed: " + OneLine(run.err));
    result.warning = "Ignoring " + OneLine(run.err);
  }
  return result;
}

}  // namespace shale
