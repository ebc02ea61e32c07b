// Store-internal helpers shared by ImageStore's files: index.json I/O, the
// ref.name grammar, and the blobs an image blob references.
#ifndef SHALE_STORAGE_INTERNAL_INDEX_FILE_H_
#define SHALE_STORAGE_INTERNAL_INDEX_FILE_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/descriptor.h"
#include "base/status.h"
#include "storage/blob_store.h"
#include "storage/oci/index.h"
#include "storage/store_paths.h"

namespace shale::internal {

// Our own index.json may be larger than a registry body.
inline constexpr size_t kMaxIndexFileBytes = 64u << 20;

// Reads <root>/index.json. A missing file is an empty index; a corrupt one is
// DataLoss naming the file and suggesting `shale check --repair`.
Result<oci::Index> ReadIndexFile(const StorePaths& paths);
// Writes it atomically (temp → fsync → rename → fsync dir). Caller holds the
// index lock.
Status WriteIndexFile(const StorePaths& paths, const oci::Index& index);

// The OCI ref.name annotation grammar (image-spec annotations.md):
// components of [A-Za-z0-9]+ joined by [-._:@+] or "--", separated by '/'.
bool IsValidRefName(std::string_view name);
// The ref.name annotation of an index.json entry, or "".
std::string RefNameOf(const Descriptor& entry);

// What a manifest or index blob references (config + layers; or the index's
// manifests). Reads and verifies the blob (DataLoss when corrupt, NotFound
// when absent). A blob of any other media type references nothing. When
// `media_type` is empty the type is detected from the content (blobs named
// by leases and GC roots) and a non-JSON blob references nothing.
Result<std::vector<Descriptor>> ReferencedBy(const BlobStore& blobs, const Digest& digest,
                                             std::string_view media_type);

}  // namespace shale::internal

#endif  // SHALE_STORAGE_INTERNAL_INDEX_FILE_H_
