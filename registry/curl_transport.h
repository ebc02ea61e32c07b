// CurlTransport: HttpTransport over libcurl. One instance per command; its
// easy handles are pooled and share one connection cache, DNS cache and TLS
// session cache (CURLSH), so requests of one command reuse connections, also
// from several threads at once.
#ifndef SHALE_REGISTRY_CURL_TRANSPORT_H_
#define SHALE_REGISTRY_CURL_TRANSPORT_H_

#include <memory>

#include "registry/http_transport.h"

namespace shale {

struct TransportOptions {
  long connect_timeout_seconds = 30;
  // A transfer moving fewer than 1 byte/s for this long is aborted
  // (Unavailable, "stalled"). SHALE_REGISTRY_STALL_TIMEOUT overrides it.
  long stall_timeout_seconds = 60;
  std::string user_agent = "shale";
};

class CurlTransport : public HttpTransport {
 public:
  explicit CurlTransport(TransportOptions options = {});
  ~CurlTransport() override;
  Result<HttpResponse> Do(const HttpRequest& request) override;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// The default options with environment overrides applied.
TransportOptions TransportOptionsFromEnv();

}  // namespace shale

#endif  // SHALE_REGISTRY_CURL_TRANSPORT_H_
