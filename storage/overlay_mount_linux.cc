#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>

#include "base/fd.h"
#include "base/log.h"
#include "storage/overlay_mount.h"

namespace shale {
namespace {

Status MountNewApi(const OverlayMountSpec& spec) {
  UniqueFd fs(fsopen("overlay", FSOPEN_CLOEXEC));
  if (!fs.valid()) return ErrnoToStatus(errno, "fsopen overlay");
  auto set = [&](const char* key, const std::string& value) -> Status {
    if (fsconfig(fs.get(), FSCONFIG_SET_STRING, key, value.c_str(), 0) != 0)
      return ErrnoToStatus(errno, std::string("overlay option ") + key);
    return Status();
  };
  for (const auto& l : spec.lowers) RETURN_IF_ERROR(set("lowerdir+", l));
  RETURN_IF_ERROR(set("upperdir", spec.upper));
  RETURN_IF_ERROR(set("workdir", spec.work));
  if (spec.userxattr) {
    if (fsconfig(fs.get(), FSCONFIG_SET_FLAG, "userxattr", nullptr, 0) != 0)
      return ErrnoToStatus(errno, "overlay option userxattr");
  } else {
    RETURN_IF_ERROR(set("index", "off"));
    RETURN_IF_ERROR(set("redirect_dir", "off"));
    RETURN_IF_ERROR(set("metacopy", "off"));
  }
  if (fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0)
    return ErrnoToStatus(errno, "creating overlay");
  UniqueFd mnt(fsmount(fs.get(), FSMOUNT_CLOEXEC, 0));
  if (!mnt.valid()) return ErrnoToStatus(errno, "fsmount overlay");
  if (move_mount(mnt.get(), "", AT_FDCWD, spec.target.c_str(), MOVE_MOUNT_F_EMPTY_PATH) != 0)
    return ErrnoToStatus(errno, "move_mount overlay to " + spec.target);
  return Status();
}

Status MountLegacy(const OverlayMountSpec& spec) {
  std::string lower;
  for (const auto& l : spec.lowers) {
    if (l.find_first_of(":,\\") != std::string::npos)
      return InvalidArgumentError("overlay lower path has ':', ',' or '\\': " + l);
    if (!lower.empty()) lower += ":";
    lower += l;
  }
  std::string data = "lowerdir=" + lower + ",upperdir=" + spec.upper + ",workdir=" + spec.work;
  data += spec.userxattr ? ",userxattr" : ",index=off,redirect_dir=off,metacopy=off";
  if (data.size() >= 4000)
    return ResourceExhaustedError("overlay options exceed a page (too many layers for mount(2))");
  if (mount("overlay", spec.target.c_str(), "overlay", 0, data.c_str()) != 0)
    return ErrnoToStatus(errno, "mount overlay on " + spec.target);
  return Status();
}

}  // namespace

Status MountOverlay(const OverlayMountSpec& spec) {
  if (spec.lowers.empty()) return InvalidArgumentError("overlay needs at least one lower dir");
  Status s = MountNewApi(spec);
  if (s.ok()) return s;
  SHALE_LOG(Debug) << "new mount API: " << s.ToString() << "; trying mount(2)";
  Status legacy = MountLegacy(spec);
  if (legacy.ok()) return legacy;
  return legacy.code() == StatusCode::kPermissionDenied ? legacy : s.Annotate(legacy.ToString());
}

Status UnmountOverlay(const std::string& target) {
  if (umount2(target.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
    return ErrnoToStatus(errno, "unmount " + target);
  return Status();
}

bool InInitialUserNamespace() {
  auto map = ReadFileCapped("/proc/self/uid_map", 4096);
  if (!map.ok()) return true;
  // The initial namespace maps the whole 32-bit range: "0 0 4294967295".
  return map->find("4294967295") != std::string::npos;
}

std::string OverlayXattrNamespace() {
  return geteuid() == 0 && InInitialUserNamespace() ? "trusted" : "user";
}

}  // namespace shale
