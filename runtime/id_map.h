// User-namespace id maps: /etc/subuid|subgid ranges and the mapping a
// rootless shale uses (container 0 = the user, 1.. = the subordinate ranges,
// as buildah/podman do).
#ifndef SHALE_RUNTIME_ID_MAP_H_
#define SHALE_RUNTIME_ID_MAP_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace shale::runtime {

struct IdMapping {
  uint32_t container_id = 0;
  uint32_t host_id = 0;
  uint32_t size = 0;
  bool operator==(const IdMapping&) const = default;
};

struct SubIdRange {
  uint32_t start = 0;
  uint32_t count = 0;
  bool operator==(const SubIdRange&) const = default;
};

// Ranges from /etc/subuid-format text ("name-or-uid:start:count" lines) that
// belong to the user, by name or by numeric uid, in file order. Malformed
// lines and zero counts are skipped.
std::vector<SubIdRange> FindSubIdRanges(std::string_view text, std::string_view user_name, uint32_t id);

// {0 -> host_id, 1}, then the ranges back to back from container id 1.
// Ranges that contain host_id itself are used as they are (newuidmap rejects
// overlaps; that is the administrator's call).
std::vector<IdMapping> RootlessMapping(uint32_t host_id, const std::vector<SubIdRange>& ranges);

// "/proc/PID/uid_map" text: one "container host size" line per mapping.
std::string FormatIdMap(const std::vector<IdMapping>& map);

// Arguments for newuidmap/newgidmap after the program name: PID, then
// container host size triples.
std::vector<std::string> NewIdMapArgs(pid_t pid, const std::vector<IdMapping>& map);

// Maps a container id to the host through `map`; false when unmapped.
bool MapToHost(const std::vector<IdMapping>& map, uint32_t id, uint32_t* host);

// Parses /proc/self/uid_map text. Identity "0 0 4294967295" = initial ns.
std::vector<IdMapping> ParseIdMap(std::string_view text);
bool IsInitialUserNamespaceMap(const std::vector<IdMapping>& map);

}  // namespace shale::runtime

#endif  // SHALE_RUNTIME_ID_MAP_H_
