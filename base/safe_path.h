// Paths inside a rootfs, resolved as if the process were chrooted into it
// (SECURITY.md §1): ".." stops at the root, absolute symlinks restart at the
// root, nothing outside the root is ever reached. openat2(RESOLVE_IN_ROOT |
// RESOLVE_NO_MAGICLINKS) when the kernel (and seccomp) allow it, else a
// component-by-component O_PATH|O_NOFOLLOW walk holding an fd per directory
// level (".." pops that stack, so a directory moved out of the root cannot be
// climbed out of). Both give the same results; the tests run every case
// through both.
//
// One implementation for the layer code (storage/) and the isolation
// backends (runtime/). The *Raw functions neither allocate nor throw: they are
// safe in a child after fork()/clone() of a multi-threaded process.
#ifndef SHALE_BASE_SAFE_PATH_H_
#define SHALE_BASE_SAFE_PATH_H_

#include <sys/types.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/fd.h"
#include "base/status.h"

namespace shale {

enum class ResolveMode { kAuto, kOpenat2, kWalk };
// Process-wide; tests use it to run every case through both mechanisms.
// kOpenat2 never falls back to the walk.
void SetResolveMode(ResolveMode mode) noexcept;
ResolveMode GetResolveMode() noexcept;
// Whether openat2(RESOLVE_IN_ROOT) works here (probed once).
bool HaveOpenat2() noexcept;

// Opens `path` (absolute or relative: both are taken from the root; "" is the
// root) inside the directory root_fd with open(2) flags (O_CLOEXEC added) and
// mode. Every component but the last follows symlinks inside the root; the
// last one too unless flags has O_NOFOLLOW (with O_PATH|O_NOFOLLOW a trailing
// symlink itself is opened) or O_CREAT|O_EXCL. Returns the new fd, or -errno:
// ELOOP after 40 symlinks, ENAMETOOLONG for paths over PATH_MAX or deeper than
// 256 directories. openat2 failing with ENOSYS or EPERM (a seccomp profile
// that does not know it) or EAGAIN repeatedly falls back to the walk.
int OpenInRootRaw(int root_fd, const char* path, int flags, mode_t mode) noexcept;
// Only the fallback walk (for tests comparing both).
int OpenInRootWalkRaw(int root_fd, const char* path, int flags, mode_t mode) noexcept;

// OpenInRootRaw as a Result: errno's code ("opening /a/b in rootfs: ...").
Result<UniqueFd> OpenInRoot(int root_fd, std::string_view path, int flags, mode_t mode = 0);

// Opens directory `path` in the root as O_PATH. With create, missing
// components are made (mode 0755, owned by the caller), each one under its
// in-root-resolved parent; an existing non-directory in the way is
// FailedPrecondition ("\"a/b\" in root is not a directory").
Result<UniqueFd> OpenDirInRoot(int root_fd, std::string_view path, bool create);

// Reads a regular file inside the root, at most max_bytes (ResourceExhausted
// beyond that, naming the cap). NotFound when absent; FailedPrecondition when
// not a regular file.
Result<std::string> ReadFileInRoot(int root_fd, std::string_view path, size_t max_bytes);

// Splits `path` into its parent (resolved inside the root, opened O_PATH |
// O_DIRECTORY) and its last component. InvalidArgument for "/", "." or "..".
struct ParentAndName {
  UniqueFd parent;
  std::string name;
};
Result<ParentAndName> OpenParentInRoot(int root_fd, std::string_view path);

// Lexical normalisation of a path inside a root: absolute, no ".", "..",
// empty components or trailing slash ("/a/../../b/" -> "/b"). Symlinks are
// not looked at: use it for names, never to decide containment.
std::string CleanRootPath(std::string_view path);

// Opens `path` under root_fd refusing any symlink on the way and any ".."
// (for trees we produced ourselves: upper dirs, working trees). The last
// component is not followed either.
Result<UniqueFd> OpenBeneath(int root_fd, std::string_view path, int flags);

// Removes `name` in directory dir_fd; a directory is removed with everything
// in it. Symlinks are removed, never followed. OK when absent.
Status RemoveAt(int dir_fd, const std::string& name);

// Splits "a/b/c" into ("a/b", "c"); ("", "c") for "c".
std::pair<std::string_view, std::string_view> SplitParent(std::string_view path);

}  // namespace shale

#endif  // SHALE_BASE_SAFE_PATH_H_
