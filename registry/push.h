// PushImage: local store → registry, used by `shale push` and the builder.
//
// Per blob (config and layers, PushOptions::parallel at a time): HEAD → skip
// when the registry has it; else a cross-repository mount when the store's
// BlobSources record names another repository of the same registry; else a
// streamed upload from the blob file (one PUT up to upload.chunk_size,
// PATCH chunks above; a failed upload restarts from a new session). The
// manifest goes last, so a tag never points at missing blobs.
//
// --format: "oci" or "docker" rewrites the manifest's media types (manifest,
// config, layers) before pushing; the config and layer bytes are unchanged,
// but the manifest bytes are new, so the pushed manifest digest differs from
// the local one. Empty format pushes the stored manifest bytes verbatim
// (digest preserved).
#ifndef SHALE_REGISTRY_PUSH_H_
#define SHALE_REGISTRY_PUSH_H_

#include <string>
#include <string_view>

#include "base/digest.h"
#include "base/status.h"
#include "registry/reference.h"
#include "registry/repository.h"
#include "registry/session.h"
#include "storage/image_store.h"

namespace shale {

struct PushOptions {
  RegistryOptions registry;
  std::string format;      // "", "oci", "docker" (also "v2s2")
  std::string digestfile;  // when set, the pushed manifest digest is written there
  int parallel = 3;
  UploadOptions upload;
};

struct PushedImage {
  Reference destination;
  Digest manifest_digest;  // of the bytes pushed
  std::string manifest_media_type;
  int blobs_uploaded = 0;
  int blobs_mounted = 0;
  int blobs_skipped = 0;
};

// `source` is a local image name or id (looked up with LocalNameCandidates);
// `destination` a reference (optionally "docker://…"); empty: the source name.
// Errors are annotated "pushing <dest>: …".
Result<PushedImage> PushImage(ImageStore& store, std::string_view source, std::string_view destination,
                              const PushOptions& options);

}  // namespace shale

#endif  // SHALE_REGISTRY_PUSH_H_
