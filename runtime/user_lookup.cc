#include "runtime/user_lookup.h"

#include <fcntl.h>

#include <charconv>

#include "base/fd.h"
#include "base/safe_path.h"

namespace shale::runtime {
namespace {

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t i = 0;
  for (;;) {
    size_t j = s.find(sep, i);
    if (j == std::string_view::npos) {
      out.push_back(s.substr(i));
      return out;
    }
    out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
}

std::optional<uint32_t> ParseId(std::string_view s) {
  if (s.empty() || s.size() > 10) return std::nullopt;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v > 0xfffffffeULL) return std::nullopt;
  return static_cast<uint32_t>(v);
}

bool IsAllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

template <typename F>
void ForEachLine(std::string_view text, F f) {
  for (std::string_view line : Split(text, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    f(line);
  }
}

}  // namespace

std::vector<PasswdEntry> ParsePasswd(std::string_view text) {
  std::vector<PasswdEntry> out;
  ForEachLine(text, [&](std::string_view line) {
    auto f = Split(line, ':');
    if (f.size() != 7 || f[0].empty()) return;
    auto uid = ParseId(f[2]);
    auto gid = ParseId(f[3]);
    if (!uid || !gid) return;
    out.push_back({std::string(f[0]), *uid, *gid, std::string(f[5])});
  });
  return out;
}

std::vector<GroupEntry> ParseGroup(std::string_view text) {
  std::vector<GroupEntry> out;
  ForEachLine(text, [&](std::string_view line) {
    auto f = Split(line, ':');
    if (f.size() != 4 || f[0].empty()) return;
    auto gid = ParseId(f[2]);
    if (!gid) return;
    GroupEntry g{std::string(f[0]), *gid, {}};
    if (!f[3].empty()) {
      for (auto m : Split(f[3], ',')) {
        if (!m.empty()) g.members.emplace_back(m);
      }
    }
    out.push_back(std::move(g));
  });
  return out;
}

Result<UserIds> ResolveUser(std::string_view spec, const std::optional<std::string>& passwd,
                            const std::optional<std::string>& group) {
  std::string_view user_part = spec;
  std::string_view group_part;
  bool explicit_group = false;
  if (size_t c = spec.find(':'); c != std::string_view::npos) {
    user_part = spec.substr(0, c);
    group_part = spec.substr(c + 1);
    explicit_group = true;
    if (group_part.empty() || group_part.find(':') != std::string_view::npos) {
      return InvalidArgumentError("invalid USER \"" + std::string(spec) + "\": expected user[:group]");
    }
  }
  UserIds ids;
  ids.home = "/";
  std::vector<PasswdEntry> users = passwd ? ParsePasswd(*passwd) : std::vector<PasswdEntry>{};
  std::string user_name;
  if (user_part.empty()) {
    if (explicit_group) {
      return InvalidArgumentError("invalid USER \"" + std::string(spec) + "\": empty user");
    }
    user_part = "0";
  }
  if (IsAllDigits(user_part)) {
    auto uid = ParseId(user_part);
    if (!uid) return InvalidArgumentError("invalid USER \"" + std::string(spec) + "\": uid out of range");
    ids.uid = *uid;
    for (const auto& u : users) {
      if (u.uid == *uid) {
        ids.gid = u.gid;
        ids.home = u.home.empty() ? "/" : u.home;
        user_name = u.name;
        break;
      }
    }
  } else {
    bool found = false;
    for (const auto& u : users) {
      if (u.name == user_part) {
        ids.uid = u.uid;
        ids.gid = u.gid;
        ids.home = u.home.empty() ? "/" : u.home;
        user_name = u.name;
        found = true;
        break;
      }
    }
    if (!found) {
      return NotFoundError("unable to find user " + std::string(user_part) +
                           (passwd ? ": no matching entry in /etc/passwd" : ": no /etc/passwd in the rootfs"));
    }
  }
  std::vector<GroupEntry> groups = group ? ParseGroup(*group) : std::vector<GroupEntry>{};
  if (explicit_group) {
    if (IsAllDigits(group_part)) {
      auto gid = ParseId(group_part);
      if (!gid) return InvalidArgumentError("invalid USER \"" + std::string(spec) + "\": gid out of range");
      ids.gid = *gid;
    } else {
      bool found = false;
      for (const auto& g : groups) {
        if (g.name == group_part) {
          ids.gid = g.gid;
          found = true;
          break;
        }
      }
      if (!found) {
        return NotFoundError("unable to find group " + std::string(group_part) +
                             (group ? ": no matching entry in /etc/group" : ": no /etc/group in the rootfs"));
      }
    }
  } else if (!user_name.empty()) {
    for (const auto& g : groups) {
      for (const auto& m : g.members) {
        if (m == user_name) {
          bool dup = false;
          for (uint32_t x : ids.additional_gids) dup = dup || x == g.gid;
          if (!dup) ids.additional_gids.push_back(g.gid);
          break;
        }
      }
    }
  }
  return ids;
}

Result<UserIds> LookupUser(const std::string& rootfs, std::string_view spec) {
  int fd = ::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoToStatus(errno, "opening rootfs " + rootfs);
  UniqueFd root(fd);
  auto read = [&](const char* path) -> Result<std::optional<std::string>> {
    auto r = ReadFileInRoot(root.get(), path, kMaxIdFileBytes);
    if (r.ok()) return std::optional<std::string>(std::move(r).value());
    if (r.status().code() == StatusCode::kNotFound) return std::optional<std::string>();
    return r.status().Annotate("looking up USER " + std::string(spec));
  };
  ASSIGN_OR_RETURN(auto passwd, read("/etc/passwd"));
  ASSIGN_OR_RETURN(auto group, read("/etc/group"));
  return ResolveUser(spec, passwd, group);
}

}  // namespace shale::runtime
