#include "registry/repository.h"

#include <algorithm>
#include <cstdlib>

#include "base/log.h"
#include "storage/oci/media_types.h"

namespace shale {
namespace {

// Counts bytes and refuses more than expected, so a lying server cannot fill the disk.
class CappedSink : public RestartableSink {
 public:
  CappedSink(RestartableSink& inner, int64_t cap, std::string what)
      : inner_(inner), cap_(cap), what_(std::move(what)) {}
  Status Write(const void* data, size_t len) override {
    if (cap_ >= 0 && written_ + static_cast<int64_t>(len) > cap_)
      return DataLossError(what_ + ": server sent more than the " + std::to_string(cap_) + " bytes the descriptor declares");
    written_ += len;
    return inner_.Write(data, len);
  }
  using ByteSink::Write;
  Status Restart() override {
    written_ = 0;
    return inner_.Restart();
  }

 private:
  RestartableSink& inner_;
  int64_t cap_;
  std::string what_;
  int64_t written_ = 0;
};

std::string WithDigestParam(const std::string& location, const Digest& d) {
  return location + (location.find('?') == std::string::npos ? "?" : "&") + "digest=" + UrlEncode(d.ToString());
}

bool IsSchema1(const std::string& mt) {
  return mt == media_type::kDockerSchema1 || mt == media_type::kDockerSchema1Signed ||
         mt == "application/json" /* schema1 served without a type */;
}

}  // namespace

std::string ManifestAcceptHeader() {
  return std::string(media_type::kOciManifest) + ", " + media_type::kOciIndex + ", " + media_type::kDockerManifest +
         ", " + media_type::kDockerManifestList + ", " + media_type::kDockerSchema1Signed + ", " +
         media_type::kDockerSchema1;
}

Result<FetchedManifest> Repository::GetManifest(const std::string& ref) {
  std::string what = "fetching manifest " + client_.endpoint().domain + "/" + path_ + ":" + ref;
  HttpRequest req;
  req.url = "/v2/" + path_ + "/manifests/" + ref;
  req.headers.emplace_back("Accept", ManifestAcceptHeader());
  auto r = client_.Send(req, {PullScope()});
  if (!r.ok()) return r.status().Annotate(what);
  if (r->status != 200) return RegistryClient::StatusFromResponse(*r, what);
  FetchedManifest m;
  m.bytes = std::move(r->body);
  m.digest = Digest::Sha256(m.bytes);
  m.media_type = r->Header("content-type");
  if (size_t semi = m.media_type.find(';'); semi != std::string::npos) m.media_type.resize(semi);
  while (!m.media_type.empty() && m.media_type.back() == ' ') m.media_type.pop_back();
  if (m.media_type.empty() || m.media_type == "application/json" || m.media_type == "text/plain" ||
      m.media_type == "application/octet-stream") {
    auto detected = oci::DetectManifestMediaType(m.bytes);
    if (detected.ok()) m.media_type = *detected;
  }
  if (IsSchema1(m.media_type))
    return UnimplementedError(what + ": the image uses a Docker schema 1 manifest, which shale does not support; "
                                     "push it again with a current tool (that converts it to schema 2 or OCI)");
  if (auto d = Digest::Parse(ref); d.ok() && *d != m.digest)
    return DataLossError(what + ": the manifest received hashes to " + m.digest.ToString() + ", not " + ref);
  return m;
}

Result<Digest> Repository::PutManifest(const std::string& ref, const std::string& mt, const std::string& bytes) {
  std::string what = "writing manifest to " + client_.endpoint().domain + "/" + path_ + ":" + ref;
  HttpRequest req;
  req.method = "PUT";
  req.url = "/v2/" + path_ + "/manifests/" + ref;
  req.headers.emplace_back("Content-Type", mt);
  req.body = bytes;
  auto r = client_.Send(req, {PushScope()});
  if (!r.ok()) return r.status().Annotate(what);
  if (r->status != 201 && r->status != 200 && r->status != 202) return RegistryClient::StatusFromResponse(*r, what);
  Digest d = Digest::Sha256(bytes);
  if (std::string claimed = r->Header("docker-content-digest"); !claimed.empty() && claimed != d.ToString())
    SHALE_LOG(Warning) << what << ": registry reports digest " << claimed << ", computed " << d.ToString();
  return d;
}

Result<std::optional<int64_t>> Repository::HeadBlob(const Digest& digest) {
  HttpRequest req;
  req.method = "HEAD";
  req.url = "/v2/" + path_ + "/blobs/" + digest.ToString();
  auto r = client_.Send(req, {PushScope()});
  std::string what = "checking blob " + digest.ToString();
  if (!r.ok()) return r.status().Annotate(what);
  if (r->status == 404) return std::optional<int64_t>();
  if (r->status != 200) return RegistryClient::StatusFromResponse(*r, what);
  std::string len = r->Header("content-length");
  int64_t size = len.empty() ? -1 : std::strtoll(len.c_str(), nullptr, 10);
  return std::optional<int64_t>(size);
}

Status Repository::FetchBlob(const Descriptor& d, RestartableSink& sink) {
  std::string what = "fetching blob " + d.digest.ToString();
  CappedSink capped(sink, d.size, what);
  HttpRequest req;
  req.url = "/v2/" + path_ + "/blobs/" + d.digest.ToString();
  req.sink = &capped;
  auto r = client_.Send(req, {PullScope()}, &capped);
  if (!r.ok()) return r.status().Annotate(what);
  if (r->status != 200) return RegistryClient::StatusFromResponse(*r, what);
  return Status::Ok();
}

Result<std::string> Repository::StartUpload() {
  HttpRequest req;
  req.method = "POST";
  req.url = "/v2/" + path_ + "/blobs/uploads/";
  auto r = client_.Send(req, {PushScope()});
  if (!r.ok()) return r.status().Annotate("starting blob upload");
  if (r->status != 202) return RegistryClient::StatusFromResponse(*r, "starting blob upload");
  std::string loc = r->Header("location");
  if (loc.empty()) return InternalError("starting blob upload: no Location in the registry's answer");
  return ResolveUrl(client_.BaseUrl() + req.url, loc);
}

Result<bool> Repository::MountBlob(const Digest& digest, const std::string& from_repo) {
  HttpRequest req;
  req.method = "POST";
  req.url = "/v2/" + path_ + "/blobs/uploads/?mount=" + UrlEncode(digest.ToString()) + "&from=" + UrlEncode(from_repo);
  auto r = client_.Send(req, {PushScope(), "repository:" + from_repo + ":pull"});
  std::string what = "mounting blob " + digest.ToString() + " from " + from_repo;
  if (!r.ok()) return r.status().Annotate(what);
  if (r->status == 201) return true;
  if (r->status == 202) {
    if (std::string loc = r->Header("location"); !loc.empty()) {
      pending_session_ = ResolveUrl(client_.BaseUrl() + req.url, loc);
      pending_digest_ = digest;
    }
    return false;
  }
  return RegistryClient::StatusFromResponse(*r, what);
}

Status Repository::UploadOnce(const Descriptor& d, int fd, const UploadOptions& o, std::string location) {
  if (d.size <= o.chunk_size) {
    HttpRequest put;
    put.method = "PUT";
    put.url = WithDigestParam(location, d.digest);
    put.headers.emplace_back("Content-Type", "application/octet-stream");
    put.upload_fd = fd;
    put.upload_size = d.size;
    auto r = client_.Send(put, {PushScope()});
    if (!r.ok()) return r.status();
    if (r->status != 201 && r->status != 204) return RegistryClient::StatusFromResponse(*r, "uploading");
    return Status::Ok();
  }
  int64_t offset = 0;
  while (offset < d.size) {
    int64_t n = std::min(o.chunk_size, d.size - offset);
    HttpRequest patch;
    patch.method = "PATCH";
    patch.url = location;
    patch.headers.emplace_back("Content-Type", "application/octet-stream");
    patch.headers.emplace_back("Content-Range", std::to_string(offset) + "-" + std::to_string(offset + n - 1));
    patch.upload_fd = fd;
    patch.upload_offset = offset;
    patch.upload_size = n;
    auto r = client_.Send(patch, {PushScope()});
    if (!r.ok()) return r.status();
    if (r->status != 202) return RegistryClient::StatusFromResponse(*r, "uploading chunk at " + std::to_string(offset));
    if (std::string loc = r->Header("location"); !loc.empty()) location = ResolveUrl(location, loc);
    offset += n;
  }
  HttpRequest put;
  put.method = "PUT";
  put.url = WithDigestParam(location, d.digest);
  auto r = client_.Send(put, {PushScope()});
  if (!r.ok()) return r.status();
  if (r->status != 201 && r->status != 204) return RegistryClient::StatusFromResponse(*r, "finishing upload");
  return Status::Ok();
}

Status Repository::UploadBlob(const Descriptor& d, int fd, const UploadOptions& o) {
  std::string what = "uploading blob " + d.digest.ToString();
  Status last;
  for (int attempt = 0; attempt <= o.max_restarts; ++attempt) {
    std::string location;
    if (!pending_session_.empty() && pending_digest_ == d.digest) {
      location = pending_session_;
      pending_session_.clear();
    } else {
      auto started = StartUpload();
      if (!started.ok()) return started.status().Annotate(what);
      location = *started;
    }
    last = UploadOnce(d, fd, o, location);
    if (last.ok()) return last;
    // Restart cleanly: abandon the session (best effort) and begin again.
    HttpRequest del;
    del.method = "DELETE";
    del.url = location;
    (void)client_.Send(del, {PushScope()});
    if (last.code() != StatusCode::kUnavailable && last.code() != StatusCode::kInvalidArgument) break;
    SHALE_LOG(Warning) << what << ": restarting the upload after: " << last.message();
  }
  return last.Annotate(what);
}

}  // namespace shale
