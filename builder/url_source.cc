#include "builder/url_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

#include "base/digest.h"
#include "base/fd.h"

namespace shale {
namespace {

constexpr int kMaxRedirects = 10;

class HashingFileSink : public ByteSink {
 public:
  explicit HashingFileSink(int fd) : fd_(fd) {}
  Status Write(const void* data, size_t len) override {
    digester_.Update(data, len);
    return WriteAll(fd_, std::string_view(static_cast<const char*>(data), len));
  }
  Digest Finish() { return digester_.Finish(); }

 private:
  int fd_;
  Digester digester_;
};

// scheme://host[:port] of an http(s) URL.
std::string Origin(const std::string& url) {
  size_t start = url.find("://");
  if (start == std::string::npos) return "";
  size_t slash = url.find('/', start + 3);
  return slash == std::string::npos ? url : url.substr(0, slash);
}

Result<std::string> ResolveLocation(const std::string& base, const std::string& location) {
  if (location.empty()) return InvalidArgumentError("redirect without a Location");
  if (location.find("://") != std::string::npos) {
    if (!IsUrlSource(location)) return InvalidArgumentError("redirect to a non-http(s) URL " + location);
    return location;
  }
  if (location.rfind("//", 0) == 0) return base.substr(0, base.find("://") + 1) + location;
  if (location[0] == '/') return Origin(base) + location;
  std::string path = base.substr(0, base.find_first_of("?#"));
  return path.substr(0, path.rfind('/') + 1) + location;
}

// Last-Modified ("Sun, 06 Nov 1994 08:49:37 GMT") as seconds; -1 if absent/bad.
int64_t ParseHttpDate(const std::string& text) {
  struct tm tm {};
  const char* end = ::strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr) return -1;
  return static_cast<int64_t>(::timegm(&tm));
}

Status DownloadOne(HttpTransport& transport, const std::string& url, const std::string& path,
                   const std::string& checksum) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd.valid()) return ErrnoToStatus(errno, "create " + path);
  HashingFileSink sink(fd.get());
  std::string current = url;
  HttpResponse response;
  for (int hop = 0;; ++hop) {
    HttpRequest request;
    request.url = current;
    request.sink = &sink;
    auto r = transport.Do(request);
    if (!r.ok()) return r.status().Annotate("ADD " + url);
    response = std::move(*r);
    if (response.status >= 300 && response.status < 400 && response.status != 304) {
      if (hop >= kMaxRedirects) return UnavailableError("ADD " + url + ": too many redirects");
      auto next = ResolveLocation(current, response.Header("location"));
      if (!next.ok()) return next.status().Annotate("ADD " + url);
      current = *next;
      continue;
    }
    break;
  }
  if (response.status == 404) return NotFoundError("ADD " + url + ": HTTP 404 Not Found");
  if (response.status < 200 || response.status >= 300)
    return UnavailableError("ADD " + url + ": HTTP " + std::to_string(response.status));
  Digest got = sink.Finish();
  if (!checksum.empty()) {
    ASSIGN_OR_RETURN(Digest want, Digest::Parse(checksum));
    if (got != want) {
      ::unlink(path.c_str());
      return DataLossError("ADD --checksum: " + url + " has " + got.ToString() + ", want " + want.ToString());
    }
  }
  int64_t mtime = ParseHttpDate(response.Header("last-modified"));
  if (mtime >= 0) {
    struct timespec times[2] = {{static_cast<time_t>(mtime), 0}, {static_cast<time_t>(mtime), 0}};
    ::futimens(fd.get(), times);
  }
  return Status();
}

}  // namespace

bool IsUrlSource(const std::string& source) {
  return source.rfind("http://", 0) == 0 || source.rfind("https://", 0) == 0;
}

std::string UrlFileName(const std::string& url) {
  std::string path = url.substr(0, url.find_first_of("?#"));
  size_t start = path.find("://");
  start = start == std::string::npos ? 0 : path.find('/', start + 3);
  if (start == std::string::npos) return "download";
  path = path.substr(start);
  while (!path.empty() && path.back() == '/') path.pop_back();
  std::string name = path.substr(path.rfind('/') + 1);
  if (name.empty() || name == "." || name == "..") return "download";
  return name;
}

Status DownloadUrls(HttpTransport& transport, const std::vector<std::string>& urls, const std::string& dir,
                    const std::string& checksum) {
  if (!checksum.empty() && urls.size() != 1)
    return InvalidArgumentError("ADD --checksum needs exactly one source");
  for (const auto& url : urls) {
    RETURN_IF_ERROR(DownloadOne(transport, url, dir + "/" + UrlFileName(url), checksum));
  }
  return Status();
}

DownloadDirs::~DownloadDirs() {
  for (auto& [step, dir] : dirs_) dir.RemoveAndRelease().IgnoreError();
}

std::string DownloadDirs::Set(int step, StateDir dir) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string path = dir.path();
  auto [it, inserted] = dirs_.try_emplace(step);
  if (!inserted) it->second.RemoveAndRelease().IgnoreError();
  it->second = std::move(dir);
  return path;
}

std::string DownloadDirs::Get(int step) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = dirs_.find(step);
  return it == dirs_.end() ? "" : it->second.path();
}

}  // namespace shale
