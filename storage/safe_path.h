// In-root path resolution for the layer code (SECURITY.md §1): a path inside
// a rootfs is resolved as if the process were chrooted there — ".." stops at
// the root, absolute symlinks restart at the root, nothing outside is ever
// reached. openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) when the kernel
// (and seccomp) allow it, else a component-by-component O_PATH|O_NOFOLLOW
// walk holding an fd per level (".." pops that stack, so a directory moved
// out of the root cannot be climbed out of). Both give the same results.
//
// (runtime/ has its own copy for the isolation backends; storage may not
// include runtime.)
#ifndef SHALE_STORAGE_SAFE_PATH_H_
#define SHALE_STORAGE_SAFE_PATH_H_

#include <sys/types.h>

#include <string>
#include <string_view>

#include "base/fd.h"
#include "base/status.h"

namespace shale {

enum class ResolveMode { kAuto, kOpenat2, kWalk };
// Process-wide; tests use it to run every case through both mechanisms.
void SetResolveMode(ResolveMode mode);
ResolveMode GetResolveMode();
// Whether openat2(RESOLVE_IN_ROOT) works here (probed once).
bool HaveOpenat2();

// Opens `path` (absolute or relative, both taken from the root) under the
// directory root_fd with open(2) flags (O_CLOEXEC added). Every component but
// the last follows symlinks inside the root; the last one too unless flags has
// O_NOFOLLOW (with O_PATH|O_NOFOLLOW a trailing symlink itself is opened).
// Errors carry errno's code (NotFound, ...); ELOOP after 40 links.
Result<UniqueFd> OpenInRoot(int root_fd, std::string_view path, int flags, mode_t mode = 0);

// Opens directory `path` in the root as O_PATH. With create, missing
// components are made (mode 0755, owned by the caller); an existing
// non-directory in the way is FailedPrecondition.
Result<UniqueFd> OpenDirInRoot(int root_fd, std::string_view path, bool create);

// Opens `path` under root_fd refusing any symlink on the way (for trees we
// produced ourselves: upper dirs, working trees). The last component is not
// followed either.
Result<UniqueFd> OpenBeneath(int root_fd, std::string_view path, int flags);

// Removes `name` in directory dir_fd; a directory is removed with everything
// in it. Symlinks are removed, never followed. OK when absent.
Status RemoveAt(int dir_fd, const std::string& name);

// Splits "a/b/c" into ("a/b", "c"); ("", "c") for "c".
std::pair<std::string_view, std::string_view> SplitParent(std::string_view path);

}  // namespace shale

#endif  // SHALE_STORAGE_SAFE_PATH_H_
