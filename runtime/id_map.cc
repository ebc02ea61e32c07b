#include "runtime/id_map.h"

#include <charconv>

#include "base/text.h"

namespace shale::runtime {
namespace {

bool ParseU32(std::string_view s, uint32_t* out) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  if (s.empty()) return false;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v > 0xffffffffULL) return false;
  *out = static_cast<uint32_t>(v);
  return true;
}

}  // namespace

std::vector<SubIdRange> FindSubIdRanges(std::string_view text, std::string_view user_name, uint32_t id) {
  std::vector<SubIdRange> out;
  std::string id_text = std::to_string(id);
  for (std::string_view line : SplitLines(text)) {
    if (line.empty() || line[0] == '#') continue;
    size_t c1 = line.find(':');
    if (c1 == std::string_view::npos) continue;
    size_t c2 = line.find(':', c1 + 1);
    if (c2 == std::string_view::npos) continue;
    std::string_view who = line.substr(0, c1);
    if (who != user_name && who != id_text) continue;
    SubIdRange r;
    if (!ParseU32(line.substr(c1 + 1, c2 - c1 - 1), &r.start)) continue;
    if (!ParseU32(line.substr(c2 + 1), &r.count) || r.count == 0) continue;
    out.push_back(r);
  }
  return out;
}

std::vector<IdMapping> RootlessMapping(uint32_t host_id, const std::vector<SubIdRange>& ranges) {
  std::vector<IdMapping> out{{0, host_id, 1}};
  uint64_t next = 1;
  for (const auto& r : ranges) {
    uint64_t size = r.count;
    if (next + size > 0xffffffffULL) size = 0xffffffffULL - next;
    if (size == 0) break;
    out.push_back({static_cast<uint32_t>(next), r.start, static_cast<uint32_t>(size)});
    next += size;
  }
  return out;
}

std::string FormatIdMap(const std::vector<IdMapping>& map) {
  std::string out;
  for (const auto& m : map) {
    out += std::to_string(m.container_id) + " " + std::to_string(m.host_id) + " " +
           std::to_string(m.size) + "\n";
  }
  return out;
}

std::vector<std::string> NewIdMapArgs(pid_t pid, const std::vector<IdMapping>& map) {
  std::vector<std::string> out{std::to_string(pid)};
  for (const auto& m : map) {
    out.push_back(std::to_string(m.container_id));
    out.push_back(std::to_string(m.host_id));
    out.push_back(std::to_string(m.size));
  }
  return out;
}

bool MapToHost(const std::vector<IdMapping>& map, uint32_t id, uint32_t* host) {
  for (const auto& m : map) {
    if (id >= m.container_id && static_cast<uint64_t>(id) < static_cast<uint64_t>(m.container_id) + m.size) {
      *host = m.host_id + (id - m.container_id);
      return true;
    }
  }
  return false;
}

std::vector<IdMapping> ParseIdMap(std::string_view text) {
  std::vector<IdMapping> out;
  size_t i = 0;
  while (i < text.size()) {
    size_t nl = text.find('\n', i);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(i, nl - i);
    i = nl + 1;
    uint32_t v[3];
    int n = 0;
    size_t k = 0;
    while (n < 3 && k < line.size()) {
      while (k < line.size() && line[k] == ' ') ++k;
      size_t e = k;
      while (e < line.size() && line[e] != ' ') ++e;
      if (e == k || !ParseU32(line.substr(k, e - k), &v[n])) break;
      ++n;
      k = e;
    }
    if (n == 3) out.push_back({v[0], v[1], v[2]});
  }
  return out;
}

bool IsInitialUserNamespaceMap(const std::vector<IdMapping>& map) {
  return map.size() == 1 && map[0] == IdMapping{0, 0, 0xffffffffu};
}

}  // namespace shale::runtime
