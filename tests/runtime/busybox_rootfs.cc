#include "tests/runtime/busybox_rootfs.h"

#include <gtest/gtest.h>

#include <memory>
#include <mutex>

#include "tests/testutil/subprocess.h"

namespace shale::testing {

namespace {

// rootfs.sh is a shell loop over ~400 applets: run it once per process and
// copy the result (cp -a keeps the symlinks, modes and owners).
struct Template {
  std::unique_ptr<ScratchDir> dir;
  std::string path;
  std::string error;  // as MakeBusyboxRootfs returns it
  bool failed = false;
};

const Template& GetTemplate() {
  static std::once_flag once;
  static Template t;  // its directory is removed at exit
  std::call_once(once, [] {
    t.dir = std::make_unique<ScratchDir>("rt-busybox");
    t.path = *t.dir / "rootfs";
    auto r = Run({"bash", SourceDir() + "/tests/fixtures/rootfs.sh", "busybox-dir", t.path});
    if (r.exit_code == 3) {
      t.error = "no static busybox on this host: " + r.output;
    } else if (r.exit_code != 0) {
      t.error = "tests/fixtures/rootfs.sh busybox-dir failed: " + r.output;
      t.failed = true;
    } else {
      WriteFile(t.path + "/etc/group", ReadFile(t.path + "/etc/group") + "tty:x:5:user\n");
    }
  });
  return t;
}

}  // namespace

std::string MakeBusyboxRootfs(const std::string& dir) {
  const Template& t = GetTemplate();
  if (t.failed) ADD_FAILURE() << t.error;
  if (!t.error.empty()) return t.error;
  auto cp = Run({"cp", "-a", t.path, dir});
  if (cp.exit_code != 0) {
    ADD_FAILURE() << "copying the busybox rootfs: " << cp.output;
    return "copying the busybox rootfs failed";
  }
  return "";
}

}  // namespace shale::testing
