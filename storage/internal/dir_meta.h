// What a directory entry of a layer carries besides its name — mode, owner,
// mtime and xattrs — so the snapshotters can tell a directory that was only
// touched (ctime moved: a child added and removed again, its mtime restored)
// from one whose layer entry would differ. Both snapshotters use the same
// rule, so their layers stay identical.
#ifndef SHALE_STORAGE_INTERNAL_DIR_META_H_
#define SHALE_STORAGE_INTERNAL_DIR_META_H_

#include <cstdint>
#include <string>

namespace shale::internal {

// A hash of the xattrs of the entry at `lpath` (never followed), overlayfs'
// own (trusted.overlay.*, user.overlay.*) left out; 0 when it has none or the
// file system has no xattrs. Names and values are hashed in sorted order.
uint64_t XattrHash(const std::string& lpath);

}  // namespace shale::internal

#endif  // SHALE_STORAGE_INTERNAL_DIR_META_H_
