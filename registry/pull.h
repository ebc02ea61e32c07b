// PullImage: registry → local store, used by `shale pull` and the builder's FROM.
//
// tag or digest → manifest; an OCI index / Docker manifest list → the entry
// for the wanted platform (default: the host's). Config and layers are
// fetched in parallel (PullOptions::parallel at a time), each streamed into a
// BlobWriter that hashes as it writes; digest and size are checked before the
// blob becomes visible (DataLoss otherwise, nothing visible). Blobs already in
// the store are skipped. The manifest is stored as the exact bytes received,
// then the image is tagged under its normalised name ("domain/path:tag", or
// "domain/path@digest" when pulled by digest only). registries.conf mirrors
// are tried first; a mirror that fails falls through to the next source.
// Before anything is fetched the signature policy must accept the reference
// (registry/signature_policy.h): PermissionDenied or Unimplemented otherwise.
#ifndef SHALE_REGISTRY_PULL_H_
#define SHALE_REGISTRY_PULL_H_

#include <optional>
#include <string>
#include <string_view>

#include "base/descriptor.h"
#include "base/platform.h"
#include "base/status.h"
#include "registry/reference.h"
#include "registry/session.h"
#include "storage/image_store.h"

namespace shale {

struct PullOptions {
  RegistryOptions registry;
  std::optional<Platform> platform;  // nullopt: Platform::Host()
  int parallel = 3;
  std::string signature_policy;  // --signature-policy FILE; "": the default files
};

struct PulledImage {
  ImageRecord record;     // what was tagged in the store
  Reference reference;    // the normalised reference that was asked for
  Reference source;       // where it really came from (a mirror, a rewritten location)
  Descriptor config;      // the image config (its digest is the image id)
  std::vector<Descriptor> layers;
  int blobs_fetched = 0;
  int blobs_skipped = 0;
};

// `image` is what the user typed; short names follow registries.conf
// (ResolveShortName). Errors are annotated "pulling <ref>: …".
Result<PulledImage> PullImage(ImageStore& store, std::string_view image, const PullOptions& options);
// The same for an already resolved reference.
Result<PulledImage> PullReference(ImageStore& store, const Reference& ref, const PullOptions& options);

}  // namespace shale

#endif  // SHALE_REGISTRY_PULL_H_
