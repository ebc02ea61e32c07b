// ADD <http(s) URL>: downloads into a private directory, from where the COPY
// machinery copies the files like any other source. The step's cache key
// holds the downloaded content's digest, so the URL is fetched on every build
// (as buildah does) but an unchanged download still hits the cache.
#ifndef SHALE_BUILDER_URL_SOURCE_H_
#define SHALE_BUILDER_URL_SOURCE_H_

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "base/status.h"
#include "registry/http_transport.h"
#include "storage/state_dir.h"

namespace shale {

bool IsUrlSource(const std::string& source);

// The file name a download of `url` gets: the last component of its path
// ("download" when the path has none).
std::string UrlFileName(const std::string& url);

// Downloads each URL to dir/UrlFileName(url) (dir must exist), following up
// to 10 redirects (http and https only), streaming to disk. Files get mode
// 0600 and the Last-Modified time when the server sends one. `checksum`
// ("sha256:hex", may be empty) must match when there is exactly one URL:
// DataLoss naming both digests otherwise, and the file is removed.
// Errors: NotFound for HTTP 404, Unavailable for other non-2xx statuses and
// transport failures, InvalidArgument for a bad redirect.
Status DownloadUrls(HttpTransport& transport, const std::vector<std::string>& urls, const std::string& dir,
                    const std::string& checksum);

// Download directories of a build, per step (scratch directories, see
// storage/snapshot_paths.h); each is removed and released when this is
// destroyed.
class DownloadDirs {
 public:
  DownloadDirs() = default;
  DownloadDirs(const DownloadDirs&) = delete;
  DownloadDirs& operator=(const DownloadDirs&) = delete;
  ~DownloadDirs();
  // Takes ownership of the step's download directory; returns its path.
  std::string Set(int step, StateDir dir);
  // "" when the step downloaded nothing.
  std::string Get(int step);

 private:
  std::mutex mu_;
  std::map<int, StateDir> dirs_;
};

}  // namespace shale

#endif  // SHALE_BUILDER_URL_SOURCE_H_
