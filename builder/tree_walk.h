// WalkTree: a sorted, symlink-safe walk of a directory tree through dirfds.
// Nothing is ever followed: each directory is opened relative to its parent
// with O_NOFOLLOW|O_DIRECTORY, so a symlink swapped in mid-walk cannot lead the
// walk outside the tree. Used for COPY sources (context or another stage) and
// for hashing them.
#ifndef SHALE_BUILDER_TREE_WALK_H_
#define SHALE_BUILDER_TREE_WALK_H_

#include <sys/stat.h>

#include <functional>
#include <string>

#include "base/status.h"

namespace shale {

struct WalkEntry {
  std::string rel;          // path relative to the walk root, "" for the root itself
  struct stat st;           // lstat of the entry
  std::string link_target;  // for symlinks, verbatim
  int parent_fd = -1;       // dirfd of the containing directory (valid during the callback)
  std::string name;         // last component
};

// Returns false from `visit` to skip descending into a directory entry.
using WalkVisitor = std::function<Result<bool>(const WalkEntry&)>;

// Walks the tree rooted at the directory `root_fd` (not consumed), visiting
// the root (rel "") and then every entry in byte-wise sorted order, parents
// before children. Errors from `visit` stop the walk and are returned.
// Depth is bounded (4096) to refuse pathological trees.
Status WalkTree(int root_fd, const WalkVisitor& visit);

}  // namespace shale

#endif  // SHALE_BUILDER_TREE_WALK_H_
