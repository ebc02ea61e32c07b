#include "frontend/internal/mount.h"

#include <cstdlib>
#include <vector>

#include "frontend/internal/text.h"

namespace shale::frontend::internal {
namespace {

// encoding/csv for one record: ',' separated, '"' quoted fields ("" = ").
Result<std::vector<std::string>> SplitCsv(std::string_view s) {
  std::vector<std::string> fields;
  size_t i = 0;
  while (true) {
    std::string field;
    if (i < s.size() && s[i] == '"') {
      ++i;
      while (true) {
        if (i >= s.size()) return InvalidArgumentError("extraneous or missing \" in quoted-field");
        if (s[i] == '"') {
          if (i + 1 < s.size() && s[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field.push_back(s[i++]);
      }
      if (i < s.size() && s[i] != ',') return InvalidArgumentError("extraneous or missing \" in quoted-field");
    } else {
      while (i < s.size() && s[i] != ',') {
        if (s[i] == '"') return InvalidArgumentError("bare \" in non-quoted-field");
        field.push_back(s[i++]);
      }
    }
    fields.push_back(std::move(field));
    if (i >= s.size()) break;
    ++i;  // ','
  }
  return fields;
}

Result<bool> ParseBool(std::string_view key, std::string_view v) {
  if (v == "1" || v == "t" || v == "T" || v == "true" || v == "TRUE" || v == "True") return true;
  if (v == "0" || v == "f" || v == "F" || v == "false" || v == "FALSE" || v == "False") return false;
  return InvalidArgumentError("invalid value for " + std::string(key) + ": " + GoQuote(v));
}

Result<uint32_t> ParseUint(std::string_view key, std::string_view v, int base) {
  std::string s(v);
  char* end = nullptr;
  errno = 0;
  unsigned long long n = std::strtoull(s.c_str(), &end, base);
  if (s.empty() || *end != '\0' || errno != 0 || n > 0xFFFFFFFFull || s[0] == '-' || s[0] == '+') {
    return InvalidArgumentError("invalid value for " + std::string(key) + ": " + GoQuote(v));
  }
  return static_cast<uint32_t>(n);
}

// "64m", "1g", "1024", "10MiB": bytes.
Result<uint64_t> ParseSize(std::string_view v) {
  std::string s = ToLower(v);
  size_t i = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  if (i == 0 || i > 19) return InvalidArgumentError("invalid value for size: " + GoQuote(v));
  unsigned long long n = std::strtoull(s.substr(0, i).c_str(), nullptr, 10);
  std::string unit = s.substr(i);
  uint64_t mult = 1;
  if (unit.empty() || unit == "b") mult = 1;
  else if (unit == "k" || unit == "kb" || unit == "kib") mult = 1ull << 10;
  else if (unit == "m" || unit == "mb" || unit == "mib") mult = 1ull << 20;
  else if (unit == "g" || unit == "gb" || unit == "gib") mult = 1ull << 30;
  else if (unit == "t" || unit == "tb" || unit == "tib") mult = 1ull << 40;
  else return InvalidArgumentError("invalid value for size: " + GoQuote(v));
  if (n > UINT64_MAX / mult) return InvalidArgumentError("invalid value for size: " + GoQuote(v));
  return n * mult;
}

bool IsPropagation(std::string_view v) {
  return v == "shared" || v == "rshared" || v == "private" || v == "rprivate" || v == "slave" || v == "rslave";
}

// Value-less options buildah takes in a RUN --mount (case-sensitive, as there).
bool IsAcceptedBareOption(std::string_view v) {
  return IsPropagation(v) || v == "Z" || v == "z" || v == "U" || v == "nosuid" || v == "nodev" ||
         v == "noexec" || v == "bind-nonrecursive" || v == "no-dereference";
}

std::string Basename(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

}  // namespace

Result<Mount> ParseMount(std::string_view spec, const WordExpander& expand, int ssh_index) {
  ASSIGN_OR_RETURN(std::vector<std::string> fields, SplitCsv(spec));
  Mount m;
  bool readonly_set = false;
  bool have_mode = false;
  for (const std::string& field : fields) {
    size_t eq = field.find('=');
    std::string key = ToLower(eq == std::string::npos ? field : field.substr(0, eq));
    if (eq == std::string::npos) {
      if (key == "readonly" || key == "ro") {
        m.readonly = true;
        readonly_set = true;
      } else if (key == "readwrite" || key == "rw") {
        m.readonly = false;
        readonly_set = true;
      } else if (key == "required") {
        m.required = true;
      } else if (IsAcceptedBareOption(field)) {
        // Propagation, SELinux relabel (z, Z), chown (U) and mount flags:
        // accepted as buildah does; they do not change what the step sees here.
      } else {
        return InvalidArgumentError("invalid field '" + field + "' must be a key=value pair");
      }
      continue;
    }
    ASSIGN_OR_RETURN(std::string value, expand(std::string_view(field).substr(eq + 1)));
    if (key == "type") {
      if (value == "bind") m.type = MountType::kBind;
      else if (value == "cache") m.type = MountType::kCache;
      else if (value == "tmpfs") m.type = MountType::kTmpfs;
      else if (value == "secret") m.type = MountType::kSecret;
      else if (value == "ssh") m.type = MountType::kSsh;
      else return InvalidArgumentError("unsupported mount type " + GoQuote(value));
    } else if (key == "source" || key == "src") {
      m.source = value;
    } else if (key == "target" || key == "dst" || key == "destination") {
      m.target = value;
    } else if (key == "from") {
      m.from = value;
    } else if (key == "readonly" || key == "ro") {
      ASSIGN_OR_RETURN(m.readonly, ParseBool(key, value));
      readonly_set = true;
    } else if (key == "readwrite" || key == "rw") {
      ASSIGN_OR_RETURN(bool rw, ParseBool(key, value));
      m.readonly = !rw;
      readonly_set = true;
    } else if (key == "required") {
      ASSIGN_OR_RETURN(m.required, ParseBool(key, value));
    } else if (key == "id") {
      m.id = value;
    } else if (key == "sharing") {
      if (value == "shared") m.sharing = CacheSharing::kShared;
      else if (value == "private") m.sharing = CacheSharing::kPrivate;
      else if (value == "locked") m.sharing = CacheSharing::kLocked;
      else return InvalidArgumentError("unsupported sharing value " + GoQuote(value));
    } else if (key == "mode") {
      ASSIGN_OR_RETURN(uint32_t mode, ParseUint(key, value, 8));
      m.mode = mode;
      have_mode = true;
    } else if (key == "uid") {
      ASSIGN_OR_RETURN(uint32_t uid, ParseUint(key, value, 10));
      m.uid = uid;
    } else if (key == "gid") {
      ASSIGN_OR_RETURN(uint32_t gid, ParseUint(key, value, 10));
      m.gid = gid;
    } else if (key == "size") {
      ASSIGN_OR_RETURN(m.size_bytes, ParseSize(value));
    } else if (key == "env") {
      m.env = value;
    } else if (key == "bind-propagation") {
      if (!IsPropagation(value)) {
        return InvalidArgumentError("bind-propagation: " + GoQuote(value) + ": invalid mount option");
      }
    } else if (key == "relabel") {
      if (value != "private" && value != "shared") {
        return InvalidArgumentError("relabel mount option must be 'private' or 'shared': invalid mount option");
      }
    } else if (key == "consistency") {
      // macOS-only in docker; meaningless here.
    } else {
      return InvalidArgumentError("unexpected key '" + key + "' in '" + field + "'");
    }
  }
  switch (m.type) {
    case MountType::kBind:
      if (!readonly_set) m.readonly = true;
      if (m.target.empty()) return InvalidArgumentError("mount type=bind requires a target");
      break;
    case MountType::kCache:
      if (m.target.empty()) return InvalidArgumentError("mount type=cache requires a target");
      if (m.id.empty()) m.id = m.target;
      break;
    case MountType::kTmpfs:
      if (m.target.empty()) return InvalidArgumentError("mount type=tmpfs requires a target");
      if (!m.from.empty()) return InvalidArgumentError("from is not supported for mount type=tmpfs");
      break;
    case MountType::kSecret:
      if (!m.from.empty()) return InvalidArgumentError("from is not supported for mount type=secret");
      if (m.id.empty() && m.target.empty() && m.env.empty()) {
        return InvalidArgumentError("mount type=secret requires an id or a target");
      }
      if (m.id.empty()) m.id = m.target.empty() ? m.env : Basename(m.target);
      if (m.target.empty() && m.env.empty()) m.target = "/run/secrets/" + m.id;
      if (!have_mode) m.mode = 0400;
      if (!m.uid) m.uid = 0;
      if (!m.gid) m.gid = 0;
      break;
    case MountType::kSsh:
      if (!m.from.empty()) return InvalidArgumentError("from is not supported for mount type=ssh");
      if (m.id.empty()) m.id = "default";
      if (m.target.empty()) m.target = "/run/buildkit/ssh_agent." + std::to_string(ssh_index);
      if (!have_mode) m.mode = 0600;
      if (!m.uid) m.uid = 0;
      if (!m.gid) m.gid = 0;
      break;
  }
  return m;
}

}  // namespace shale::frontend::internal
