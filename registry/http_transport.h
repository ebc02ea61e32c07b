// HttpTransport: one HTTP exchange, nothing more. No redirects are followed,
// no retries, no auth: the registry client (registry/client.h) decides those,
// so it can drop credentials on a cross-host redirect and restart a blob
// cleanly. Tests substitute a fake (tests/registry/fake_transport.h).
#ifndef SHALE_REGISTRY_HTTP_TRANSPORT_H_
#define SHALE_REGISTRY_HTTP_TRANSPORT_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/byte_sink.h"
#include "base/status.h"

namespace shale {

inline constexpr size_t kMaxRegistryBody = 4 << 20;  // SECURITY.md §2

// TLS settings for one host (see registry/tls_config.h for where they come from).
struct TlsConfig {
  bool verify = true;                 // verify the server certificate and name
  std::vector<std::string> ca_files;  // extra CA certificates (PEM), beside the system ones
  std::string client_cert;            // PEM client certificate, with client_key
  std::string client_key;
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  // Request body: either `body`, or `upload_size` bytes read from upload_fd
  // starting at upload_offset (pread: the fd's position is not used).
  std::string body;
  int upload_fd = -1;
  int64_t upload_offset = 0;
  int64_t upload_size = 0;
  // When set, a 2xx response body streams into the sink instead of being kept;
  // other bodies are kept (capped) for error messages.
  ByteSink* sink = nullptr;
  size_t max_body = kMaxRegistryBody;
  TlsConfig tls;
};

struct HttpResponse {
  int status = 0;
  // Header names lower-cased, in arrival order (repeated names kept).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;          // empty when the body went to the sink
  int64_t body_bytes = 0;    // bytes received (to the sink or into body)

  // First value of a header (name lower-case), or "".
  std::string Header(const std::string& lower_name) const;
  std::vector<std::string> Headers(const std::string& lower_name) const;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Performs one exchange. Errors: Unavailable for connection refused/reset,
  // timeouts and stalls (retryable); FailedPrecondition for TLS verification
  // failures; ResourceExhausted when a kept body exceeds max_body; a sink's own
  // error as it returned it. Any HTTP status, even 5xx, is a successful exchange.
  virtual Result<HttpResponse> Do(const HttpRequest& request) = 0;
};

}  // namespace shale

#endif  // SHALE_REGISTRY_HTTP_TRANSPORT_H_
