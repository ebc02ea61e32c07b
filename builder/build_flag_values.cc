#include "builder/build_flag_values.h"

#include <cctype>
#include <cmath>
#include <utility>

#include "runtime/capabilities.h"

namespace shale {
namespace {

std::pair<std::string, std::string> SplitOnce(const std::string& s, char sep) {
  size_t at = s.find(sep);
  if (at == std::string::npos) return {s, ""};
  return {s.substr(0, at), s.substr(at + 1)};
}

std::string Quote(const std::string& s) { return "\"" + s + "\""; }

}  // namespace

Result<OutputSpec> ParseOutputFlag(const std::string& text) {
  if (text.empty()) return InvalidArgumentError("--output: empty value");
  if (text == "-") return OutputSpec{"tar", "-"};
  if (text.find('=') == std::string::npos && text.find(',') == std::string::npos) return OutputSpec{"local", text};
  OutputSpec out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? text.size() + 1 : comma + 1;
    auto [key, value] = SplitOnce(part, '=');
    if (key == "type") {
      out.type = value;
    } else if (key == "dest") {
      out.dest = value;
    } else {
      return InvalidArgumentError("invalid build output option " + Quote(part) + ", accepted keys are type and dest");
    }
  }
  if (out.type != "local" && out.type != "tar")
    return InvalidArgumentError("invalid build output type " + Quote(out.type) + ", accepted types are local and tar");
  if (out.dest.empty()) return InvalidArgumentError("invalid build output " + Quote(text) + ": dest is required");
  if (out.type == "local" && out.dest == "-")
    return InvalidArgumentError("invalid build output " + Quote(text) + ": type=local needs a directory, not \"-\"");
  return out;
}

Result<int64_t> ParseGoDurationMs(const std::string& text) {
  const Status invalid = InvalidArgumentError("time: invalid duration " + Quote(text));
  std::string s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.erase(0, 1);
  }
  if (s == "0") return 0;
  if (s.empty()) return invalid;
  double total_ns = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t num_start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    bool int_digits = i > num_start;
    bool frac_digits = false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      size_t frac_start = i;
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
      frac_digits = i > frac_start;
    }
    if (!int_digits && !frac_digits) return invalid;
    double value = std::stod("0" + s.substr(num_start, i - num_start));
    size_t unit_start = i;
    while (i < s.size() && s[i] != '.' && !std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    std::string unit = s.substr(unit_start, i - unit_start);
    if (unit.empty()) return InvalidArgumentError("time: missing unit in duration " + Quote(text));
    double scale;
    if (unit == "ns") scale = 1;
    else if (unit == "us" || unit == "\xc2\xb5s" || unit == "\xce\xbcs") scale = 1e3;
    else if (unit == "ms") scale = 1e6;
    else if (unit == "s") scale = 1e9;
    else if (unit == "m") scale = 60e9;
    else if (unit == "h") scale = 3600e9;
    else return InvalidArgumentError("time: unknown unit " + Quote(unit) + " in duration " + Quote(text));
    total_ns += value * scale;
    if (total_ns > 9.2e18) return invalid;
  }
  int64_t ms = static_cast<int64_t>(std::floor(total_ns / 1e6));
  return negative ? -ms : ms;
}

Result<NamedContextFlag> ParseBuildContextFlag(const std::string& text) {
  auto [name, value] = SplitOnce(text, '=');
  if (text.find('=') == std::string::npos || name.empty() || value.empty())
    return InvalidArgumentError("invalid --build-context " + Quote(text) + ": want NAME=VALUE");
  return NamedContextFlag{name, value};
}

Result<DeviceSpec> ParseDeviceFlag(const std::string& text) {
  DeviceSpec d;
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t colon = text.find(':', start);
    parts.push_back(text.substr(start, colon == std::string::npos ? std::string::npos : colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  if (parts.size() > 3 || parts[0].empty()) return InvalidArgumentError("invalid device specification: " + text);
  d.host = parts[0];
  d.container = parts[0];
  if (parts.size() == 2) {
    // HOST:PERMISSIONS is also accepted when the second part is not a path.
    if (!parts[1].empty() && parts[1][0] != '/') d.permissions = parts[1];
    else d.container = parts[1];
  } else if (parts.size() == 3) {
    d.container = parts[1];
    d.permissions = parts[2];
  }
  if (d.host[0] != '/') return InvalidArgumentError("invalid device specification " + Quote(text) + ": " + d.host + " is not an absolute path");
  if (d.container.empty() || d.container[0] != '/')
    return InvalidArgumentError("invalid device specification " + Quote(text) + ": " + d.container + " is not an absolute path");
  if (d.permissions.empty() || d.permissions.find_first_not_of("rwm") != std::string::npos)
    return InvalidArgumentError("invalid device mode " + Quote(d.permissions) + " in " + Quote(text));
  return d;
}

Result<std::vector<int>> ParseCapabilities(const std::vector<std::string>& names) {
  std::vector<int> out;
  for (const std::string& raw : names) {
    // buildah splits comma lists inside one flag value too.
    size_t start = 0;
    while (start <= raw.size()) {
      size_t comma = raw.find(',', start);
      std::string name = raw.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      start = comma == std::string::npos ? raw.size() + 1 : comma + 1;
      if (name.empty()) continue;
      const std::string given = name;
      for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (name == "ALL") {
        for (int cap = 0; cap <= runtime::kLastKnownCapability; ++cap) out.push_back(cap);
        continue;
      }
      if (name.rfind("CAP_", 0) == 0) name.erase(0, 4);
      bool found = false;
      for (int cap = 0; cap <= runtime::kLastKnownCapability; ++cap) {
        if (runtime::CapabilityName(cap) == "CAP_" + name) {
          out.push_back(cap);
          found = true;
        }
      }
      if (!found) return InvalidArgumentError("unknown capability " + Quote(given));
    }
  }
  return out;
}

}  // namespace shale
