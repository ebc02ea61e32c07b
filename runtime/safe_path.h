// Paths inside a rootfs, resolved as if the process were chrooted into it
// (SECURITY.md §1): absolute symlinks and ".." stay inside the root; the
// result never names anything outside it. openat2(RESOLVE_IN_ROOT |
// RESOLVE_NO_MAGICLINKS) when the kernel (and seccomp) allow it, else a
// component-by-component O_PATH|O_NOFOLLOW walk with the same semantics.
//
// The *Raw functions neither allocate nor throw: they are safe to call in a
// child after fork()/clone() of a multi-threaded process.
#ifndef SHALE_RUNTIME_SAFE_PATH_H_
#define SHALE_RUNTIME_SAFE_PATH_H_

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "base/fd.h"
#include "base/status.h"

namespace shale::runtime {

// Opens `path` (absolute or relative: both are taken from the root) inside
// the directory `root_fd` with open(2) `flags` (O_CLOEXEC is added) and
// `mode`. A trailing symlink is followed (inside the root) unless flags has
// O_NOFOLLOW. Returns the new fd, or -errno: ELOOP for too many symlinks,
// ENAMETOOLONG for paths over PATH_MAX or deeper than 255 directories.
int OpenInRootRaw(int root_fd, const char* path, int flags, mode_t mode) noexcept;

// Same, but only the fallback walk (for tests comparing both).
int OpenInRootWalkRaw(int root_fd, const char* path, int flags, mode_t mode) noexcept;

// Whether openat2(RESOLVE_IN_ROOT) works here (probed once).
bool HaveOpenat2() noexcept;

Result<UniqueFd> OpenInRoot(int root_fd, std::string_view path, int flags, mode_t mode = 0);

// Reads a regular file inside the root, at most max_bytes (ResourceExhausted
// beyond that, naming the cap). NotFound when absent.
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

}  // namespace shale::runtime

#endif  // SHALE_RUNTIME_SAFE_PATH_H_
