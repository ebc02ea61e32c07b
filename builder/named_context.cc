#include "builder/named_context.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace shale {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool StartsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

Status OpenDirectory(const NamedContextFlag& flag, NamedContext& nc) {
  std::error_code ec;
  nc.dir = std::filesystem::absolute(flag.value, ec).lexically_normal().string();
  while (nc.dir.size() > 1 && nc.dir.back() == '/') nc.dir.pop_back();
  nc.fd = UniqueFd(::open(nc.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!nc.fd.valid()) {
    int err = errno;
    std::string text = std::strerror(err);
    if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
    return Status(ErrnoToStatus(err, "").code(),
                  "--build-context " + flag.name + "=" + flag.value + ": stat " + flag.value + ": " + text);
  }
  frontend::IgnoreFileQuery q{"", "", nc.dir};
  std::string file = frontend::ChooseIgnoreFile(q, [](const std::string& p) { return ::access(p.c_str(), F_OK) == 0; });
  if (!file.empty()) {
    ASSIGN_OR_RETURN(std::string text, ReadFileCapped(file, 4u << 20));
    ASSIGN_OR_RETURN(auto patterns, frontend::ReadIgnorePatterns(text));
    auto m = frontend::IgnoreMatcher::Compile(patterns);
    if (!m.ok()) return m.status().Annotate(file);
    nc.ignore.emplace(std::move(*m));
  }
  return Status();
}

}  // namespace

Result<std::map<std::string, NamedContext>> OpenNamedContexts(const std::vector<NamedContextFlag>& flags) {
  std::map<std::string, NamedContext> out;
  for (const auto& flag : flags) {
    NamedContext nc;
    nc.name = Lower(flag.name);
    if (out.count(nc.name)) return InvalidArgumentError("--build-context " + flag.name + " is given twice");
    const std::string& v = flag.value;
    if (StartsWith(v, "docker-image://") || StartsWith(v, "docker://")) {
      nc.kind = NamedContext::Kind::kImage;
      nc.image = v.substr(v.find("://") + 3);
      if (nc.image.empty()) return InvalidArgumentError("--build-context " + flag.name + "=" + v + ": no image named");
    } else if (StartsWith(v, "http://") || StartsWith(v, "https://") || StartsWith(v, "git@") ||
               StartsWith(v, "git://") || StartsWith(v, "oci-layout://")) {
      return UnimplementedError("--build-context " + flag.name + "=" + v +
                                ": URL, git and oci-layout contexts are not supported yet (use a directory or "
                                "docker-image://IMAGE)");
    } else {
      RETURN_IF_ERROR(OpenDirectory(flag, nc));
    }
    out.emplace(nc.name, std::move(nc));
  }
  return out;
}

}  // namespace shale
