#include "tests/runtime/busybox_rootfs.h"

#include <gtest/gtest.h>

#include "tests/testutil/subprocess.h"

namespace shale::testing {

std::string MakeBusyboxRootfs(const std::string& dir) {
  auto r = Run({"bash", SourceDir() + "/tests/fixtures/rootfs.sh", "busybox-dir", dir});
  if (r.exit_code == 3) return "no static busybox on this host: " + r.output;
  if (r.exit_code != 0) {
    ADD_FAILURE() << "tests/fixtures/rootfs.sh busybox-dir failed: " << r.output;
    return "rootfs fixture failed";
  }
  std::string group = ReadFile(dir + "/etc/group");
  WriteFile(dir + "/etc/group", group + "tty:x:5:user\n");
  return "";
}

}  // namespace shale::testing
