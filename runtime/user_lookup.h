// USER resolution for RUN steps, as docker/runc do it: "name", "uid",
// "name:group", "uid:gid" (any mix), from the rootfs's /etc/passwd and
// /etc/group, read through in-root resolution with a size cap.
#ifndef SHALE_RUNTIME_USER_LOOKUP_H_
#define SHALE_RUNTIME_USER_LOOKUP_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace shale::runtime {

// Files larger than this are refused (ResourceExhausted naming the cap).
inline constexpr size_t kMaxIdFileBytes = 1 << 20;

struct UserIds {
  uint32_t uid = 0;
  uint32_t gid = 0;
  // Supplementary groups: the /etc/group entries listing the user by name,
  // only when no group was given explicitly (runc's rule).
  std::vector<uint32_t> additional_gids;
  std::string home;  // from /etc/passwd; "/" when unknown
};

struct PasswdEntry {
  std::string name;
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string home;
};
struct GroupEntry {
  std::string name;
  uint32_t gid = 0;
  std::vector<std::string> members;
};

// Malformed lines (wrong field count, non-numeric ids) are skipped.
std::vector<PasswdEntry> ParsePasswd(std::string_view text);
std::vector<GroupEntry> ParseGroup(std::string_view text);

// Pure resolution. `passwd`/`group` are the file contents or nullopt when
// absent. Empty spec means root. Errors: NotFound ("no user NAME in
// /etc/passwd", "no group NAME in /etc/group"), InvalidArgument (malformed
// spec or id out of range).
Result<UserIds> ResolveUser(std::string_view spec, const std::optional<std::string>& passwd,
                            const std::optional<std::string>& group);

// Reads the files from the rootfs (in-root, capped) and resolves. Numeric
// specs work without the files.
Result<UserIds> LookupUser(const std::string& rootfs, std::string_view spec);

}  // namespace shale::runtime

#endif  // SHALE_RUNTIME_USER_LOOKUP_H_
