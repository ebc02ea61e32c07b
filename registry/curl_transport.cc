#include "registry/curl_transport.h"

#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "base/log.h"

namespace shale {

std::string HttpResponse::Header(const std::string& lower_name) const {
  for (const auto& [k, v] : headers)
    if (k == lower_name) return v;
  return "";
}

std::vector<std::string> HttpResponse::Headers(const std::string& lower_name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : headers)
    if (k == lower_name) out.push_back(v);
  return out;
}

TransportOptions TransportOptionsFromEnv() {
  TransportOptions o;
  if (const char* s = std::getenv("SHALE_REGISTRY_STALL_TIMEOUT"); s && *s) {
    long v = std::strtol(s, nullptr, 10);
    if (v > 0) o.stall_timeout_seconds = v;
  }
  return o;
}

struct CurlTransport::Impl {
  TransportOptions options;
  CURLSH* share = nullptr;
  std::mutex locks[CURL_LOCK_DATA_LAST];
  std::mutex pool_mu;
  std::vector<CURL*> pool;

  CURL* Acquire() {
    {
      std::lock_guard<std::mutex> l(pool_mu);
      if (!pool.empty()) {
        CURL* h = pool.back();
        pool.pop_back();
        return h;
      }
    }
    return curl_easy_init();
  }
  void Release(CURL* h) {
    std::lock_guard<std::mutex> l(pool_mu);
    pool.push_back(h);
  }
};

namespace {

std::once_flag g_curl_init;

void LockCb(CURL*, curl_lock_data data, curl_lock_access, void* userp) {
  static_cast<CurlTransport::Impl*>(userp)->locks[data].lock();
}
void UnlockCb(CURL*, curl_lock_data data, void* userp) {
  static_cast<CurlTransport::Impl*>(userp)->locks[data].unlock();
}

struct Exchange {
  const HttpRequest* req;
  HttpResponse* resp;
  CURL* handle;
  Status error;       // set by callbacks to abort
  int64_t sent = 0;   // upload position
  bool saw_status = false;
};

size_t HeaderCb(char* data, size_t size, size_t n, void* userp) {
  auto* ex = static_cast<Exchange*>(userp);
  std::string_view line(data, size * n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.rfind("HTTP/", 0) == 0) {
    ex->resp->headers.clear();  // a new response (after 100 Continue)
    size_t sp = line.find(' ');
    ex->resp->status = sp == line.npos ? 0 : std::atoi(std::string(line.substr(sp + 1, 3)).c_str());
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon == line.npos) return size * n;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  if (ex->resp->headers.size() < 1000) ex->resp->headers.emplace_back(std::move(name), std::string(value));
  return size * n;
}

size_t WriteCb(char* data, size_t size, size_t n, void* userp) {
  auto* ex = static_cast<Exchange*>(userp);
  size_t len = size * n;
  int status = ex->resp->status;
  if (ex->req->sink && status >= 200 && status < 300) {
    Status s = ex->req->sink->Write(data, len);
    if (!s.ok()) {
      ex->error = s;
      return 0;
    }
    ex->resp->body_bytes += len;
    return len;
  }
  if (ex->resp->body.size() + len > ex->req->max_body) {
    ex->error = ResourceExhaustedError("response body larger than the " +
                                       std::to_string(ex->req->max_body >> 10) + " KiB cap");
    return 0;
  }
  ex->resp->body.append(data, len);
  ex->resp->body_bytes += len;
  return len;
}

size_t ReadCb(char* buf, size_t size, size_t n, void* userp) {
  auto* ex = static_cast<Exchange*>(userp);
  const HttpRequest& r = *ex->req;
  size_t want = size * n;
  if (r.upload_fd >= 0) {
    int64_t left = r.upload_size - ex->sent;
    if (left <= 0) return 0;
    size_t chunk = std::min<int64_t>(left, want);
    ssize_t got;
    do {
      got = ::pread(r.upload_fd, buf, chunk, r.upload_offset + ex->sent);
    } while (got < 0 && errno == EINTR);
    if (got < 0) {
      ex->error = ErrnoToStatus(errno, "reading upload source");
      return CURL_READFUNC_ABORT;
    }
    if (got == 0) {
      ex->error = DataLossError("upload source ended early");
      return CURL_READFUNC_ABORT;
    }
    ex->sent += got;
    return got;
  }
  size_t left = r.body.size() - ex->sent;
  size_t chunk = std::min(left, want);
  std::memcpy(buf, r.body.data() + ex->sent, chunk);
  ex->sent += chunk;
  return chunk;
}

int SeekCb(void* userp, curl_off_t offset, int origin) {
  auto* ex = static_cast<Exchange*>(userp);
  if (origin != SEEK_SET) return CURL_SEEKFUNC_CANTSEEK;
  ex->sent = offset;
  return CURL_SEEKFUNC_OK;
}

CURLcode SslCtxCb(CURL*, void* sslctx, void* userp) {
  const auto* tls = static_cast<const TlsConfig*>(userp);
  X509_STORE* store = SSL_CTX_get_cert_store(static_cast<SSL_CTX*>(sslctx));
  for (const auto& file : tls->ca_files) {
    FILE* f = std::fopen(file.c_str(), "re");
    if (!f) continue;
    while (X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr)) {
      X509_STORE_add_cert(store, cert);  // duplicates are harmless
      X509_free(cert);
    }
    ERR_clear_error();
    std::fclose(f);
  }
  return CURLE_OK;
}

Status MapCurlError(CURLcode rc, const char* errbuf, const HttpRequest& req, long stall_seconds) {
  std::string what = req.method + " " + req.url + ": ";
  std::string detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
      return UnavailableError(what + "transfer stalled or timed out (no progress for " +
                              std::to_string(stall_seconds) + "s): " + detail);
    case CURLE_COULDNT_CONNECT:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return UnavailableError(what + "connection failed: " + detail);
    case CURLE_COULDNT_RESOLVE_HOST:
      // Go's wording ("no such host"), which scripts written for buildah match.
      return UnavailableError(what + "connection failed: no such host (" + detail + ")");
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_ISSUER_ERROR:
      return FailedPreconditionError(what + "TLS: " + detail +
                                     " (use --cert-dir for a private CA, or --tls-verify=false)");
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return InvalidArgumentError(what + detail);
    default:
      return UnavailableError(what + detail);
  }
}

}  // namespace

CurlTransport::CurlTransport(TransportOptions options) : impl_(std::make_unique<Impl>()) {
  std::call_once(g_curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  impl_->options = std::move(options);
  impl_->share = curl_share_init();
  curl_share_setopt(impl_->share, CURLSHOPT_LOCKFUNC, LockCb);
  curl_share_setopt(impl_->share, CURLSHOPT_UNLOCKFUNC, UnlockCb);
  curl_share_setopt(impl_->share, CURLSHOPT_USERDATA, impl_.get());
  curl_share_setopt(impl_->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
  curl_share_setopt(impl_->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt(impl_->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
}

CurlTransport::~CurlTransport() {
  for (CURL* h : impl_->pool) curl_easy_cleanup(h);
  curl_share_cleanup(impl_->share);
}

Result<HttpResponse> CurlTransport::Do(const HttpRequest& req) {
  CURL* h = impl_->Acquire();
  if (!h) return InternalError("curl_easy_init failed");
  curl_easy_reset(h);
  HttpResponse resp;
  Exchange ex{&req, &resp, h, Status(), 0, false};
  char errbuf[CURL_ERROR_SIZE] = {0};
  const TransportOptions& o = impl_->options;

  curl_easy_setopt(h, CURLOPT_SHARE, impl_->share);
  curl_easy_setopt(h, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, o.connect_timeout_seconds);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, o.stall_timeout_seconds);
  curl_easy_setopt(h, CURLOPT_USERAGENT, o.user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, HeaderCb);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &ex);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, WriteCb);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &ex);
  curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 256L * 1024);
  curl_easy_setopt(h, CURLOPT_UPLOAD_BUFFERSIZE, 512L * 1024);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);

  // TLS
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, req.tls.verify ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, req.tls.verify ? 2L : 0L);
  if (!req.tls.ca_files.empty()) {
    curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, SslCtxCb);
    curl_easy_setopt(h, CURLOPT_SSL_CTX_DATA, &req.tls);
  }
  if (!req.tls.client_cert.empty()) {
    curl_easy_setopt(h, CURLOPT_SSLCERT, req.tls.client_cert.c_str());
    curl_easy_setopt(h, CURLOPT_SSLKEY, req.tls.client_key.c_str());
  }

  bool has_body = req.upload_fd >= 0 || !req.body.empty() || req.method == "PUT" ||
                  req.method == "PATCH" || req.method == "POST";
  if (req.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (has_body) {
    curl_off_t size = req.upload_fd >= 0 ? req.upload_size : static_cast<curl_off_t>(req.body.size());
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, size);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, ReadCb);
    curl_easy_setopt(h, CURLOPT_READDATA, &ex);
    curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, SeekCb);
    curl_easy_setopt(h, CURLOPT_SEEKDATA, &ex);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  } else if (req.method != "GET") {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  }

  curl_slist* headers = nullptr;
  for (const auto& [k, v] : req.headers) headers = curl_slist_append(headers, (k + ": " + v).c_str());
  headers = curl_slist_append(headers, "Expect:");
  if (has_body && req.method != "HEAD")
    headers = curl_slist_append(headers, "Transfer-Encoding:");  // Content-Length is known
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);

  CURLcode rc = curl_easy_perform(h);
  long code = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
  curl_slist_free_all(headers);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
  impl_->Release(h);

  if (!ex.error.ok()) return ex.error;
  if (rc != CURLE_OK) return MapCurlError(rc, errbuf, req, o.stall_timeout_seconds);
  resp.status = static_cast<int>(code);
  return resp;
}

}  // namespace shale
