// NativeIndex: the stat index the native snapshotter compares against.
// In memory only (a working tree lives as long as one build stage): per path
// inode, birth time (statx; tells a recreated inode with a reused number
// apart), ctime, mtime (ns), size, mode, uid, gid. Building it is one statx
// per entry; diffing is one more walk, and only changed entries are read
// later by the layer writer. A directory whose only change is its ctime (and
// size: directories do not shrink) — same mode, owner, mtime and xattrs — is
// not reported: its layer entry would be identical (a runtime that adds and
// removes /etc/resolv.conf and restores the mtime of /etc leaves just that).
// Its xattrs are hashed when the index is built, one listxattr per directory.
#ifndef SHALE_STORAGE_NATIVE_INDEX_H_
#define SHALE_STORAGE_NATIVE_INDEX_H_

#include <cstdint>
#include <string>
#include <unordered_map>

#include "base/status.h"
#include "storage/layer_changes.h"
#include "storage/snapshotter.h"

namespace shale {

struct StatRecord {
  uint64_t ino = 0;
  int64_t btime_s = 0, ctime_s = 0, mtime_s = 0;
  uint32_t btime_ns = 0, ctime_ns = 0, mtime_ns = 0;
  int64_t size = 0;
  uint32_t mode = 0;  // type and permission bits
  uint32_t uid = 0, gid = 0;
  uint64_t xattr_hash = 0;  // directories only (internal/dir_meta.h)
};

using NativeIndex = std::unordered_map<std::string, StatRecord>;

// Walks the tree under root_fd ("" is the root itself, not recorded).
Result<NativeIndex> BuildNativeIndex(int root_fd, const DiffOptions& options = {});

// Compares the tree now under root_fd with `before`. Returns the changes
// (source_root left empty) and, in *after, the index of the tree as walked
// (excluded paths keep their old records).
Result<Changes> DiffNativeIndex(int root_fd, const NativeIndex& before, const DiffOptions& options,
                                NativeIndex* after);

}  // namespace shale

#endif  // SHALE_STORAGE_NATIVE_INDEX_H_
