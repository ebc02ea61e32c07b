// Changes: what a build step did to a tree, as the layer writer consumes it.
// Produced by WorkingTree::Diff (snapshotter.h) or built by hand (e.g. a COPY
// that knows exactly which paths it wrote).
#ifndef SHALE_STORAGE_LAYER_CHANGES_H_
#define SHALE_STORAGE_LAYER_CHANGES_H_

#include <cstdint>
#include <string>
#include <vector>

namespace shale {

struct Change {
  enum class Kind {
    kAdd,      // the entry at `path` as it is now in the source tree (a directory: just itself)
    kAddTree,  // the entry and, for a directory, everything below it
    kDelete,   // gone: written as an OCI whiteout ".wh.<name>"
    kOpaque,   // a directory that replaced whatever was there: the directory,
               // then an opaque marker ".wh..wh..opq" (its children need their own kAdd)
  };
  Kind kind = Kind::kAdd;
  std::string path;  // relative to the source root, '/'-separated ("usr/bin/x")
};

struct Changes {
  std::string source_root;    // the tree kAdd entries are read from
  std::vector<Change> entries;  // any order, duplicates allowed (an add beats a delete)
  // Paths that matched DiffOptions exclusions (not in `entries`); overlay's
  // Commit removes them from the upper dir before it becomes a lower layer.
  std::vector<std::string> excluded;
  // Set by WorkingTree::Diff so Commit can reuse what Diff learned (native:
  // the fresh stat index); 0 for hand-built lists.
  uint64_t diff_token = 0;
};

}  // namespace shale

#endif  // SHALE_STORAGE_LAYER_CHANGES_H_
