// Layer writer: Changes → one deterministic layer blob in one streaming pass.
//
// The tar (tar_writer.h) holds, in depth-first order with siblings sorted
// bytewise (GNU tar --sort=name order; an opaque marker right after its
// directory): every changed entry plus every ancestor directory of one (with
// its current metadata, so the layer applies on any parent), whiteouts for
// deletions. Numeric uid/gid, no user/group names, whole-second mtimes
// clamped to source_date_epoch, xattrs (overlay-private ones dropped) as
// SCHILY.xattr records, regular files with several links written once and then
// as hard links to the first path. Whiteouts and opaque markers are empty
// regular files with mode 0, owner 0:0, mtime 0. Sockets are skipped.
// Source paths are opened without following any symlink.
#ifndef SHALE_STORAGE_LAYER_WRITER_H_
#define SHALE_STORAGE_LAYER_WRITER_H_

#include "base/byte_sink.h"
#include "base/status.h"
#include "storage/layer_changes.h"
#include "storage/layer_info.h"

namespace shale {

// Writes the layer for `changes` into `out` (e.g. a BlobWriter; commit it
// with the returned digest and size). Errors: InvalidArgument for a path with
// "..", FailedPrecondition when a listed entry vanished or changed size while
// being read, errno-derived codes for I/O. On failure `out` holds a partial
// stream the caller discards.
Result<LayerInfo> WriteLayer(const Changes& changes, const LayerWriterOptions& options, ByteSink& out);

}  // namespace shale

#endif  // SHALE_STORAGE_LAYER_WRITER_H_
