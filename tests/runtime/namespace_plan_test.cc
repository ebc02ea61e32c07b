#include "runtime/namespace_plan.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>

#include <algorithm>

namespace shale::runtime {
namespace {

HostFeatures Full(bool root, bool userns) {
  HostFeatures f;
  f.euid_root = root;
  f.in_user_namespace = userns;
  f.unshare_mount = f.unshare_uts = f.unshare_ipc = f.unshare_pid = f.unshare_net = f.unshare_user = true;
  f.mount_allowed = true;
  f.mknod_allowed = root && !userns;
  return f;
}

// What a default-seccomp docker container allows: uid 0, no namespaces, no mounts, mknod.
HostFeatures DockerContainer() {
  HostFeatures f;
  f.euid_root = true;
  f.mknod_allowed = true;
  f.denied_errno = EPERM;
  return f;
}

RunSpec Spec() {
  RunSpec s;
  s.args = {"/bin/true"};
  s.rootfs = "/r";
  s.hostname = "h";
  return s;
}

const EtcFileSources kEtc{"/s/resolv.conf", "/s/hosts", "/s/hostname"};

bool HasMount(const NamespacePlan& p, MountOp::Kind kind, const std::string& target) {
  return std::any_of(p.mounts.begin(), p.mounts.end(),
                     [&](const MountOp& m) { return m.kind == kind && m.target == target; });
}
bool HasPrep(const NamespacePlan& p, PrepOp::Kind kind, const std::string& path) {
  return std::any_of(p.prepare.begin(), p.prepare.end(),
                     [&](const PrepOp& o) { return o.kind == kind && o.path == path; });
}

TEST(PlanNamespaces, ChrootAsRootUsesAllNamespacesAndPivotRoot) {
  auto p = PlanNamespaces(Spec(), Isolation::kChroot, Full(true, false), kEtc);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->clone_flags, CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS);
  EXPECT_FALSE(p->new_user_namespace);
  EXPECT_TRUE(p->pivot_root);
  EXPECT_TRUE(p->set_hostname);
  EXPECT_FALSE(p->drop_chroot_capability);
  EXPECT_TRUE(p->degradations.empty());
  EXPECT_TRUE(HasMount(*p, MountOp::Kind::kMount, "/proc"));
  EXPECT_TRUE(HasMount(*p, MountOp::Kind::kMknod, "/dev/null"));
  EXPECT_TRUE(HasMount(*p, MountOp::Kind::kMount, "/sys"));
  EXPECT_TRUE(HasMount(*p, MountOp::Kind::kBind, "/etc/resolv.conf"));
  EXPECT_TRUE(HasMount(*p, MountOp::Kind::kRemountReadonly, "/proc/sys"));
  EXPECT_TRUE(HasPrep(*p, PrepOp::Kind::kFile, "/etc/hosts"));
  EXPECT_FALSE(HasPrep(*p, PrepOp::Kind::kDevice, "/dev/null"));
  // /proc comes before anything mounted below it.
  auto proc = std::find_if(p->mounts.begin(), p->mounts.end(),
                           [](const MountOp& m) { return m.target == "/proc"; });
  auto procsys = std::find_if(p->mounts.begin(), p->mounts.end(),
                              [](const MountOp& m) { return m.target == "/proc/sys"; });
  EXPECT_LT(proc, procsys);
}

TEST(PlanNamespaces, ChrootInDockerContainerDegradesToPlainChroot) {
  auto p = PlanNamespaces(Spec(), Isolation::kChroot, DockerContainer(), kEtc);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->clone_flags, 0);
  EXPECT_FALSE(p->pivot_root);
  EXPECT_TRUE(p->drop_chroot_capability);
  EXPECT_TRUE(p->mounts.empty());
  EXPECT_TRUE(HasPrep(*p, PrepOp::Kind::kDevice, "/dev/null"));
  EXPECT_TRUE(HasPrep(*p, PrepOp::Kind::kCopyFile, "/etc/resolv.conf"));
  ASSERT_FALSE(p->degradations.empty());
  EXPECT_NE(p->degradations[0].find("hostname"), std::string::npos);
  bool said_chroot = false;
  for (const auto& d : p->degradations) said_chroot |= d.find("plain chroot") != std::string::npos;
  EXPECT_TRUE(said_chroot);
}

// A podman container without --privileged: uid 0, no CAP_SYS_ADMIN, but
// the seccomp profile lets unshare(CLONE_NEWUSER) through.
TEST(PlanNamespaces, ChrootInContainerWithUserNamespacesNestsItsNamespaces) {
  HostFeatures f = DockerContainer();
  f.unshare_user = true;
  RunSpec spec = Spec();
  spec.network = NetworkMode::kNone;
  auto p = PlanNamespaces(spec, Isolation::kChroot, f, kEtc);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_TRUE(p->new_user_namespace);
  EXPECT_EQ(p->clone_flags, CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET);
  EXPECT_TRUE(p->pivot_root);
  EXPECT_TRUE(p->set_hostname);
  EXPECT_FALSE(p->drop_chroot_capability);
  // /proc: a recursive bind of the container's (a fresh procfs is denied there).
  auto proc = std::find_if(p->mounts.begin(), p->mounts.end(), [](const MountOp& m) { return m.target == "/proc"; });
  ASSERT_NE(proc, p->mounts.end());
  EXPECT_EQ(proc->kind, MountOp::Kind::kBind);
  EXPECT_EQ(proc->source, "/proc");
  EXPECT_TRUE(proc->recursive);
  // No mknod inside a user namespace: the devices are bind-mounted.
  EXPECT_EQ(std::count_if(p->mounts.begin(), p->mounts.end(),
                          [](const MountOp& m) { return m.kind == MountOp::Kind::kMknod; }),
            0);
  auto null = std::find_if(p->mounts.begin(), p->mounts.end(), [](const MountOp& m) { return m.target == "/dev/null"; });
  ASSERT_NE(null, p->mounts.end());
  EXPECT_EQ(null->kind, MountOp::Kind::kBindDevice);
  auto sys = std::find_if(p->mounts.begin(), p->mounts.end(), [](const MountOp& m) { return m.target == "/sys"; });
  ASSERT_NE(sys, p->mounts.end());
  EXPECT_EQ(sys->kind, MountOp::Kind::kBind);
  ASSERT_EQ(p->degradations.size(), 1u);
  EXPECT_NE(p->degradations[0].find("/proc is the container's own, bind-mounted"), std::string::npos);
}

TEST(PlanNamespaces, PlainChrootRefusesMountsAndNetworkNone) {
  RunSpec s = Spec();
  s.mounts.push_back({MountSpec::Type::kTmpfs, "", "/cache", false, ""});
  auto p = PlanNamespaces(s, Isolation::kChroot, DockerContainer(), kEtc);
  EXPECT_EQ(p.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(p.status().message().find("RUN --mount needs a mount namespace"), std::string::npos);
  RunSpec n = Spec();
  n.network = NetworkMode::kNone;
  EXPECT_EQ(PlanNamespaces(n, Isolation::kChroot, DockerContainer(), kEtc).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST(PlanNamespaces, NoPidNamespaceMeansNoProc) {
  HostFeatures f = Full(true, false);
  f.unshare_pid = false;
  auto p = PlanNamespaces(Spec(), Isolation::kChroot, f, kEtc);
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(HasMount(*p, MountOp::Kind::kMount, "/proc"));
  EXPECT_EQ(p->clone_flags & CLONE_NEWPID, 0);
  EXPECT_FALSE(p->degradations.empty());
}

TEST(PlanNamespaces, RootlessAsRootCreatesItsOwnUserNamespace) {
  auto p = PlanNamespaces(Spec(), Isolation::kRootless, Full(true, false), kEtc);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_TRUE(p->new_user_namespace);
  EXPECT_TRUE(p->clone_flags & CLONE_NEWUSER);
  // No mknod inside a user namespace: devices are bind-mounted; /sys too.
  EXPECT_TRUE(HasMount(*p, MountOp::Kind::kBindDevice, "/dev/null"));
  EXPECT_TRUE(HasMount(*p, MountOp::Kind::kBind, "/sys"));
}

TEST(PlanNamespaces, RootlessInsideShaleUserNamespace) {
  RunSpec s = Spec();
  s.network = NetworkMode::kNone;
  auto p = PlanNamespaces(s, Isolation::kRootless, Full(true, true), kEtc);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_FALSE(p->new_user_namespace);
  EXPECT_EQ(p->clone_flags & CLONE_NEWUSER, 0);
  EXPECT_TRUE(p->clone_flags & CLONE_NEWNET);
  EXPECT_TRUE(p->loopback_up);
}

TEST(PlanNamespaces, RootlessNeedsItsNamespaces) {
  HostFeatures f = Full(false, false);
  EXPECT_EQ(PlanNamespaces(Spec(), Isolation::kRootless, f, kEtc).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(PlanNamespaces(Spec(), Isolation::kRootless, DockerContainer(), kEtc).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(PlanNamespaces(Spec(), Isolation::kChroot, f, kEtc).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST(PlanNamespaces, UserMountsPlannedWithTargets) {
  RunSpec s = Spec();
  s.mounts.push_back({MountSpec::Type::kBind, "/host/cache", "/root/.cache/../.cache/go", false, ""});
  s.mounts.push_back({MountSpec::Type::kBind, "/host/secret", "/run/secrets/token", true, ""});
  s.mounts.push_back({MountSpec::Type::kTmpfs, "", "/tmp/t", false, "size=1m"});
  auto p = PlanNamespaces(s, Isolation::kChroot, Full(true, false), kEtc);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(HasPrep(*p, PrepOp::Kind::kMountTarget, "/root/.cache/go"));
  EXPECT_TRUE(HasPrep(*p, PrepOp::Kind::kDir, "/tmp/t"));
  auto secret = std::find_if(p->mounts.begin(), p->mounts.end(),
                             [](const MountOp& m) { return m.target == "/run/secrets/token"; });
  ASSERT_NE(secret, p->mounts.end());
  EXPECT_TRUE(secret->readonly);
  EXPECT_EQ(secret->source, "/host/secret");
  // User mounts come last: they may sit below /dev, /proc or /etc.
  EXPECT_EQ(p->mounts.back().target, "/tmp/t");
  EXPECT_EQ(p->mounts.back().data, "size=1m");
}

TEST(ValidateRunSpec, RejectsBadSpecs) {
  RunSpec s = Spec();
  s.args.clear();
  EXPECT_EQ(ValidateRunSpec(s).code(), StatusCode::kInvalidArgument);
  s = Spec();
  s.rootfs = "rel";
  EXPECT_EQ(ValidateRunSpec(s).code(), StatusCode::kInvalidArgument);
  s = Spec();
  s.mounts.push_back({MountSpec::Type::kBind, "/x", "/../", false, ""});
  EXPECT_EQ(ValidateRunSpec(s).code(), StatusCode::kInvalidArgument);
  s = Spec();
  s.env = {"NOEQUALS"};
  EXPECT_EQ(ValidateRunSpec(s).code(), StatusCode::kInvalidArgument);
}

TEST(ScratchPathCandidates, MountTargetsAndKernelFilesystemsButNoParents) {
  RunSpec s = Spec();
  s.mounts.push_back({MountSpec::Type::kBind, "/x", "/root/.cache/../.cache/go", false, ""});
  auto c = ScratchPathCandidates(s);
  for (const char* want : {"/etc/hosts", "/etc/resolv.conf", "/dev", "/proc", "/sys", "/root/.cache/go"}) {
    EXPECT_NE(std::find(c.begin(), c.end(), want), c.end()) << want;
  }
  // Excluding a parent would drop the step's real changes below it.
  for (const char* never : {"/etc", "/root", "/root/.cache", "/"}) {
    EXPECT_EQ(std::find(c.begin(), c.end(), never), c.end()) << never;
  }
}

}  // namespace
}  // namespace shale::runtime
