// Layer applier: unpacks an untrusted layer (tar, tar+gzip, tar+zstd; the
// codec is detected from magic bytes) into a rootfs, following SECURITY.md
// §1–2 and §5:
//  - every path is resolved inside the rootfs (base/safe_path.h); entry names with
//    ".." are refused (InvalidArgument), absolute names are root-relative;
//  - symlink targets are stored verbatim; hard links must name an entry
//    inside the rootfs (resolved in-root; a missing target is NotFound);
//  - objects are created fd-relative under their resolved parent, and their
//    metadata (owner, mode incl. setuid, xattrs incl. security.capability,
//    mtime) is set through the created fd, never by re-resolving the path;
//  - OCI whiteouts ".wh.<name>" and opaque markers ".wh..wh..opq" hide what
//    LOWER layers put there (entries of the same layer are kept), or — with
//    WhiteoutFormat::kOverlay — are recorded as overlayfs whiteouts (0/0 char
//    device, "<prefix>opaque"="y" xattr) so the directory can be a lowerdir;
//  - device nodes that cannot be created (no CAP_MKNOD) are skipped with ONE
//    warning; ownership that cannot be set (unprivileged) is ignored with one
//    warning; xattrs in the overlay namespaces are never taken from a layer;
//  - TarLimits cap header sizes, entry count and decompressed bytes
//    (ResourceExhausted naming the cap).
// On failure the rootfs may hold part of the layer (callers unpack into a
// fresh directory and discard it); nothing outside the rootfs is touched.
#ifndef SHALE_STORAGE_LAYER_APPLY_H_
#define SHALE_STORAGE_LAYER_APPLY_H_

#include <cstdint>
#include <string>

#include "base/digest.h"
#include "base/status.h"
#include "storage/layer_info.h"

namespace shale {

enum class WhiteoutFormat {
  kApply,    // delete what the whiteout names (building a merged rootfs)
  kOverlay,  // record overlayfs whiteouts (building an overlay lowerdir)
};

struct ApplyOptions {
  TarLimits limits;
  WhiteoutFormat whiteouts = WhiteoutFormat::kApply;
  // Namespace of the overlay opaque xattr in kOverlay mode: "trusted.overlay."
  // (root) or "user.overlay." (mounted with userxattr in a user namespace).
  std::string overlay_xattr_prefix = "trusted.overlay.";
  // When valid: the diff_id the image config claims for this layer. The
  // uncompressed stream is hashed while it is applied (to its very end) and a
  // different sha256 fails the apply with DataLoss naming both digests
  // (SECURITY.md §3: claimed digests are hints). The rootfs then holds what
  // was applied: callers unpack into a private directory and discard it.
  Digest expected_diff_id;
};

struct ApplyStats {
  int64_t entries = 0;
  int64_t bytes = 0;              // file data written
  int64_t skipped_devices = 0;    // device nodes we could not create
  int64_t ignored_owners = 0;     // entries whose uid/gid could not be set
  int64_t skipped_xattrs = 0;     // xattrs we were not allowed to set
  Digest diff_id;                 // computed; set only when expected_diff_id was given
};

// Applies the layer read from layer_fd (consumed to its end) onto the
// directory `rootfs`, which must exist.
Result<ApplyStats> ApplyLayer(int layer_fd, const std::string& rootfs, const ApplyOptions& options = {});
// The same onto a directory fd (O_PATH is fine).
Result<ApplyStats> ApplyLayerAt(int layer_fd, int root_fd, const ApplyOptions& options = {});

}  // namespace shale

#endif  // SHALE_STORAGE_LAYER_APPLY_H_
