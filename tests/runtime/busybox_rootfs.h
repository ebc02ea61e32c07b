// Test fixture: the busybox rootfs of tests/fixtures/rootfs.sh (the one
// busybox recipe of the repository), unpacked into a directory, plus the
// tty group (gid 5, member user) the runtime tests use for a second
// supplementary group.
#ifndef SHALE_TESTS_RUNTIME_BUSYBOX_ROOTFS_H_
#define SHALE_TESTS_RUNTIME_BUSYBOX_ROOTFS_H_

#include <string>

namespace shale::testing {

// Builds the rootfs in `dir` (created; must not exist or be empty).
// Returns "" on success. Otherwise why not: the host has no static busybox
// (the caller skips), or the fixture failed (also recorded as a test
// failure with ADD_FAILURE, so a broken fixture never reads as a skip).
std::string MakeBusyboxRootfs(const std::string& dir);

}  // namespace shale::testing

#endif  // SHALE_TESTS_RUNTIME_BUSYBOX_ROOTFS_H_
