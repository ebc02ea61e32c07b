// COPY and ADD: which source entries a step names, what they hash to (for the
// cache key), and writing them into a stage's rootfs.
//
// Containment (SECURITY.md §1):
//  * sources are resolved inside their root (the build context, or another
//    stage's/image's rootfs) with in-root semantics: a symlink in a source
//    path, even an absolute one, never leaves the root; a source whose
//    lexically cleaned path climbs above the root ("../x") is refused;
//  * inside a copied directory, symlinks are copied as symlinks (targets
//    verbatim), never followed;
//  * the destination is resolved inside the target rootfs the same way, and
//    every object is created relative to a directory fd, with its metadata set
//    through the fd that created it.
// Files the ignore matcher or --exclude excludes are invisible: not copied,
// not hashed.
#ifndef SHALE_BUILDER_COPY_STEP_H_
#define SHALE_BUILDER_COPY_STEP_H_

#include <sys/stat.h>

#include <optional>
#include <string>
#include <vector>

#include "base/digest.h"
#include "base/status.h"
#include "builder/content_hasher.h"
#include "frontend/build_graph.h"
#include "frontend/ignore.h"

namespace shale {

// Where a COPY reads from.
struct CopySourceRoot {
  int root_fd = -1;                                  // directory fd (not owned)
  bool is_context = false;                           // the build context (else a rootfs)
  const frontend::IgnoreMatcher* ignore = nullptr;   // context only; may be null
  ContentHasher* hasher = nullptr;                   // context only
  // COPY --exclude: matched against each source's own path and, inside a
  // directory source, against paths relative to that directory. May be null.
  const frontend::IgnoreMatcher* exclude = nullptr;
};

// One matched source: a path relative to the source root.
struct CopySourceItem {
  std::string rel;        // "" for the root itself
  struct stat st;         // after following a top-level symlink inside the root
  bool from_glob = false;
  // COPY --parents: the leading part of `rel` that is not reproduced under
  // the destination — the path before a "/./" pivot in the source as written
  // ("./x/./y/*" keeps "y/a.txt" of "x/y/a.txt"). "" keeps all of `rel`.
  std::string parents_base;
};

// Expands the step's sources (globs per component, Go filepath.Match rules)
// against `root`. A literal source that does not exist (or is excluded) is
// NotFound naming it ("COPY source app.go: no such file or directory in the
// build context"). A glob that matches nothing is skipped when another
// source matched something (buildah); when no source matched anything it is
// NotFound naming the first pattern ("... (the pattern matched nothing)").
// A glob whose matches are all excluded is NotFound as a literal is.
// InvalidArgument for a source that escapes the root.
Result<std::vector<CopySourceItem>> ResolveCopySources(const CopySourceRoot& root,
                                                       const std::vector<std::string>& sources);

// Digest of everything the items would copy: paths, types, modes, sizes,
// symlink targets and file contents (never mtimes, never owners of context
// files). Heredoc sources are included by content.
Result<Digest> DigestCopySources(const CopySourceRoot& root, const std::vector<CopySourceItem>& items,
                                 const frontend::CopyOp& op);

struct CopyTarget {
  int rootfs_fd = -1;        // the stage rootfs (not owned)
  std::string workdir = "/"; // for relative destinations
  uint32_t uid = 0, gid = 0; // ownership of everything written (--chown, else 0:0)
  std::optional<uint32_t> chmod;  // --chmod
  std::optional<int64_t> clamp_mtime;  // SOURCE_DATE_EPOCH/--timestamp: mtimes not after it
};

// Writes the items (and the op's heredoc files) into the target, following
// buildah's destination rules: a destination ending in '/' or several
// sources (even without the '/') mean a directory; a directory source copies its contents; --parents keeps
// each source's path. ADD extracts local tar archives (plain, gzip, bzip2,
// xz, zstd) instead of copying them when `extract_archives`.
Status ExecuteCopy(const CopySourceRoot& root, const std::vector<CopySourceItem>& items,
                   const frontend::CopyOp& op, const CopyTarget& target, bool extract_archives);

// Parses --chmod: octal "0755"/"755". InvalidArgument otherwise.
Result<uint32_t> ParseChmod(const std::string& text);

}  // namespace shale

#endif  // SHALE_BUILDER_COPY_STEP_H_
