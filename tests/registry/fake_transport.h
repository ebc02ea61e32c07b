// FakeTransport: an HttpTransport that answers from a handler and records
// every request (with its headers) for assertions.
#ifndef SHALE_TESTS_REGISTRY_FAKE_TRANSPORT_H_
#define SHALE_TESTS_REGISTRY_FAKE_TRANSPORT_H_

#include <functional>
#include <mutex>
#include <vector>

#include "registry/http_transport.h"

namespace shale {

class FakeTransport : public HttpTransport {
 public:
  using Handler = std::function<Result<HttpResponse>(const HttpRequest&)>;
  explicit FakeTransport(Handler h) : handler_(std::move(h)) {}

  Result<HttpResponse> Do(const HttpRequest& req) override {
    {
      std::lock_guard<std::mutex> l(mu_);
      requests_.push_back(req);
    }
    auto r = handler_(req);
    if (r.ok() && req.sink && r->status >= 200 && r->status < 300 && !r->body.empty()) {
      Status s = req.sink->Write(r->body);
      if (!s.ok()) return s;
      r->body.clear();
    }
    return r;
  }

  std::vector<HttpRequest> requests() {
    std::lock_guard<std::mutex> l(mu_);
    return requests_;
  }

 private:
  Handler handler_;
  std::mutex mu_;
  std::vector<HttpRequest> requests_;
};

inline HttpResponse Reply(int status, std::string body = "",
                          std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

inline std::string HeaderOf(const HttpRequest& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

}  // namespace shale

#endif  // SHALE_TESTS_REGISTRY_FAKE_TRANSPORT_H_
