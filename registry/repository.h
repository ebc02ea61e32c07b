// Repository: the distribution-spec calls for one repository of a registry
// (manifests, blobs, uploads, cross-repository mounts), on a RegistryClient.
// Nothing here touches the local store; pull.h and push.h combine the two.
#ifndef SHALE_REGISTRY_REPOSITORY_H_
#define SHALE_REGISTRY_REPOSITORY_H_

#include <cstdint>
#include <optional>
#include <string>

#include "base/descriptor.h"
#include "base/digest.h"
#include "base/status.h"
#include "registry/client.h"

namespace shale {

struct FetchedManifest {
  std::string bytes;       // exactly as received (≤ 4 MiB)
  std::string media_type;  // Content-Type, or detected from the body when generic
  Digest digest;           // sha256 of bytes (computed, never taken from a header)
};

struct UploadOptions {
  // Blobs up to this size go in one PUT; bigger ones in PATCH chunks of it.
  int64_t chunk_size = 64ll << 20;
  // Whole-upload restarts (a new upload session) after a failed attempt.
  int max_restarts = 2;
};

class Repository {
 public:
  Repository(RegistryClient& client, std::string path) : client_(client), path_(std::move(path)) {}
  const std::string& path() const { return path_; }
  RegistryClient& client() { return client_; }

  // GET a manifest or index by tag or digest, accepting OCI and Docker types.
  // When fetched by digest, the body must hash to it (DataLoss otherwise).
  // Docker schema 1 is Unimplemented with a message saying so. NotFound when
  // the registry has no such manifest.
  Result<FetchedManifest> GetManifest(const std::string& tag_or_digest);
  // PUTs a manifest (the last step of a push). Returns the digest of bytes.
  Result<Digest> PutManifest(const std::string& tag_or_digest, const std::string& media_type,
                             const std::string& bytes);

  // HEAD a blob: its size when present, nullopt when the registry answers 404.
  Result<std::optional<int64_t>> HeadBlob(const Digest& digest);
  // GETs a blob into sink (restarted on retries). More bytes than
  // descriptor.size is DataLoss as soon as it happens; verifying the digest is
  // the sink's job (BlobWriter::Commit).
  Status FetchBlob(const Descriptor& descriptor, RestartableSink& sink);
  // Tries a cross-repository mount from `from_repo` of the same registry.
  // true when mounted; false when the registry started a normal upload instead
  // (the session is kept for the next UploadBlob of this digest).
  Result<bool> MountBlob(const Digest& digest, const std::string& from_repo);
  // Uploads size bytes read from fd (pread from offset 0) as blob `digest`.
  // A failed upload restarts from a fresh session (max_restarts times).
  Status UploadBlob(const Descriptor& descriptor, int fd, const UploadOptions& options = {});

 private:
  std::string PullScope() const { return "repository:" + path_ + ":pull"; }
  std::string PushScope() const { return "repository:" + path_ + ":pull,push"; }
  Result<std::string> StartUpload();
  Status UploadOnce(const Descriptor& d, int fd, const UploadOptions& options, std::string location);

  RegistryClient& client_;
  std::string path_;
  std::string pending_session_;  // from a MountBlob that fell back to an upload
  Digest pending_digest_;
};

// Accept header value for manifest GETs.
std::string ManifestAcceptHeader();

}  // namespace shale

#endif  // SHALE_REGISTRY_REPOSITORY_H_
