// A relative --root works like an absolute one (RUN steps get absolute
// rootfs paths): `shale --root store build` from the store's parent directory.
#include <gtest/gtest.h>
#include <unistd.h>

#include "tests/e2e/e2e_env.h"

namespace shale::testing::e2e {
namespace {

TEST(RelativeRoot, BuildWithRunStepUnderRelativeStoreRoot) {
  if (geteuid() != 0) GTEST_SKIP() << "builds as root with chroot isolation";
  ScratchDir dir("e2e-relroot");
  ASSERT_EQ(ImportBaseImage(dir / "store", "busybox"), "");
  WriteFile(dir / "ctx/Containerfile", "FROM busybox\nRUN echo hi > /greeting\n");
  CommandResult r = shale::testing::Run({ShaleBinary(), "--root", "store", "build", "--isolation", "chroot", "-t",
                                         "rel:1", "ctx"},
                                        {.cwd = dir.path(), .timeout_seconds = 300});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("COMMIT localhost/rel:1"), std::string::npos) << r.output;
  EXPECT_FALSE(InspectIds(dir / "store", "rel:1").id.empty());
}

}  // namespace
}  // namespace shale::testing::e2e
