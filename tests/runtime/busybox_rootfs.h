// Test fixture: a minimal busybox rootfs made from the host's static busybox
// (Debian busybox-static): /bin/busybox + one symlink per applet, passwd and
// group with root, nobody and user (1000), /tmp 1777, empty /proc /sys /dev.
#ifndef SHALE_TESTS_RUNTIME_BUSYBOX_ROOTFS_H_
#define SHALE_TESTS_RUNTIME_BUSYBOX_ROOTFS_H_

#include <string>

namespace shale::testing {

// The static busybox to copy, or "" (and *why) when there is none.
std::string FindStaticBusybox(std::string* why);

// Builds the rootfs in `dir` (created). Returns "" on success, else why not.
std::string MakeBusyboxRootfs(const std::string& dir);

}  // namespace shale::testing

#endif  // SHALE_TESTS_RUNTIME_BUSYBOX_ROOTFS_H_
