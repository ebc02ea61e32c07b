// StateDir: a private scratch directory under <root>/shale (a snapshotter's
// working tree, a layer-cache unpack in flight) whose owner can be told alive
// from dead, so prune can delete what a killed build left behind and never
// what a running one uses.
//
// On disk, beside each directory:
//   <parent>/<name>/       the directory
//   <parent>/<name>.lock   OFD-locked (exclusive) by the owner for as long as
//                          the directory is in use; the lock dies with the
//                          owner (kill -9 included)
// The lock file and the directory are made while <root>/shale/gc.lock is held
// shared, and SweepStaleStateDirs runs under gc.lock held exclusively (Prune),
// so a sweep never sees a new directory before its lock is taken. A directory
// without a lock file therefore has no owner (an older shale made it): stale.
#ifndef SHALE_STORAGE_STATE_DIR_H_
#define SHALE_STORAGE_STATE_DIR_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/fd.h"
#include "base/status.h"

namespace shale {

class StateDir {
 public:
  StateDir() = default;
  StateDir(StateDir&&) noexcept;
  StateDir& operator=(StateDir&&) noexcept;
  ~StateDir();

  // Creates <parent>/<prefix><pid>-<n>-<rand> (mode 0700; parent created when
  // missing) with its held lock. store_root locates gc.lock.
  static Result<StateDir> Create(const std::string& store_root, const std::string& parent,
                                 const std::string& prefix);

  const std::string& path() const { return path_; }
  // Unlinks the lock file and drops the lock: call once the directory is gone
  // or renamed away (a lock file left without its directory is harmless; the
  // next sweep removes it). Idempotent; the destructor does it too.
  void Release();
  // Removes the directory tree, then releases: for a scratch directory whose
  // owner is done with it. The error of the removal (if any) is returned;
  // the lock is released either way (a later prune finds what is left).
  Status RemoveAndRelease();

 private:
  std::string path_;
  UniqueFd lock_;
};

struct StaleSweepReport {
  int64_t dirs_removed = 0;
  int64_t bytes_freed = 0;                // sizes of the regular files removed
  std::vector<std::string> removed;       // paths of the removed directories
  std::vector<std::string> problems;      // what could not be removed, and why
};

// Removes every directory in `parent` whose name starts with `prefix` and
// whose lock is not held by a live process, and lock files nobody holds. A
// dead owner's mounts below such a directory are lazily unmounted first; the
// removal never crosses into another file system (what cannot be unmounted
// stays, listed in problems). Call with gc.lock held exclusively. A missing
// parent is fine. Errors only when `parent` cannot be read.
Status SweepStaleStateDirs(const std::string& parent, std::string_view prefix, StaleSweepReport* report);

}  // namespace shale

#endif  // SHALE_STORAGE_STATE_DIR_H_
