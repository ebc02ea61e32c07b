// Image configuration codec (OCI image-spec config.md and Docker's image
// JSON, which is a superset: Healthcheck, OnBuild, Shell, … are Docker
// fields that buildah/podman keep in OCI images too).
//
//   {"architecture":…,"os":…,"variant":…,"os.version":…,"os.features":[…],
//    "created":"RFC 3339","author":…,
//    "config":{"User","ExposedPorts":{"80/tcp":{}},"Env":[…],"Entrypoint":[…],
//              "Cmd":[…],"Volumes":{"/data":{}},"WorkingDir","Labels":{…},
//              "StopSignal","ArgsEscaped","Healthcheck":{…},"OnBuild":[…],
//              "Shell":[…], …},
//    "rootfs":{"type":"layers","diff_ids":[…]},
//    "history":[{"created","created_by","author","comment","empty_layer"}…],
//    …}
//
// Nothing is dropped: every unknown field — top level (e.g. Docker's
// "container_config", "docker_version"), inside "config" (e.g. "Hostname",
// "Image"), inside "Healthcheck", "rootfs" and each history entry — is kept in
// the `extra` object of the struct it appears in and written back by
// Serialize. JSON null and absence are not told apart (both read as empty and
// are written as absent), except Entrypoint/Cmd where the optional tells
// "unset" from "set to []".
#ifndef SHALE_STORAGE_OCI_IMAGE_CONFIG_H_
#define SHALE_STORAGE_OCI_IMAGE_CONFIG_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/digest.h"
#include "base/platform.h"
#include "base/status.h"

namespace shale::oci {

struct HealthConfig {
  // ["NONE"], ["CMD", args…], ["CMD-SHELL", command]; empty = inherit.
  std::vector<std::string> test;
  int64_t interval = 0;        // nanoseconds; 0 = inherit
  int64_t timeout = 0;         // nanoseconds
  int64_t start_period = 0;    // nanoseconds
  int64_t start_interval = 0;  // nanoseconds
  int retries = 0;
  nlohmann::json extra = nlohmann::json::object();

  friend bool operator==(const HealthConfig&, const HealthConfig&) = default;
};

// The "config" object: how to run the image.
struct ContainerConfig {
  std::string user;
  std::set<std::string> exposed_ports;  // "80/tcp"; written as {"80/tcp":{}}
  std::vector<std::string> env;         // "KEY=value", each must contain '=' after a non-empty key
  std::optional<std::vector<std::string>> entrypoint;
  std::optional<std::vector<std::string>> cmd;
  std::set<std::string> volumes;        // written as {"/data":{}}
  std::string working_dir;
  std::map<std::string, std::string> labels;
  std::string stop_signal;
  bool args_escaped = false;            // written only when true
  std::optional<HealthConfig> healthcheck;
  std::vector<std::string> on_build;
  std::vector<std::string> shell;
  nlohmann::json extra = nlohmann::json::object();

  friend bool operator==(const ContainerConfig&, const ContainerConfig&) = default;
};

struct RootFs {
  std::string type = "layers";
  std::vector<Digest> diff_ids;
  nlohmann::json extra = nlohmann::json::object();

  friend bool operator==(const RootFs&, const RootFs&) = default;
};

struct HistoryEntry {
  std::string created;  // RFC 3339; empty = absent
  std::string created_by;
  std::string author;
  std::string comment;
  bool empty_layer = false;  // written only when true
  nlohmann::json extra = nlohmann::json::object();

  friend bool operator==(const HistoryEntry&, const HistoryEntry&) = default;
};

struct ImageConfig {
  std::string architecture;  // required
  std::string os;            // required
  std::string variant;
  std::string os_version;
  std::vector<std::string> os_features;
  std::string created;  // RFC 3339 (FormatRfc3339); empty = absent
  std::string author;
  // Written when any field is set or it was present in the input.
  std::optional<ContainerConfig> config;
  RootFs rootfs;
  std::vector<HistoryEntry> history;
  nlohmann::json extra = nlohmann::json::object();

  // os/architecture/variant/os.version/os.features as a Platform.
  Platform platform() const;
  void set_platform(const Platform& p);

  friend bool operator==(const ImageConfig&, const ImageConfig&) = default;
};

// Parses and validates: architecture, os and rootfs required; every known
// field has its schema type (a number where a string belongs is
// InvalidArgument naming the field, e.g. "config.User: must be a string");
// rootfs.type must be "layers"; diff_ids are digests; Env entries "K=V";
// created timestamps RFC 3339. ResourceExhausted over the caps of json.h.
Result<ImageConfig> ParseImageConfig(std::string_view bytes);
// Canonical bytes (json.h). The config digest (image id) is over these.
std::string SerializeImageConfig(const ImageConfig& config);
nlohmann::json ImageConfigToJson(const ImageConfig& config);

// Seconds since the epoch -> "2024-01-02T03:04:05Z" (UTC, no fraction).
std::string FormatRfc3339(int64_t seconds);
// Parses RFC 3339 (fraction and offset allowed) -> seconds since the epoch.
// InvalidArgument when malformed.
Result<int64_t> ParseRfc3339(std::string_view text);

}  // namespace shale::oci

#endif  // SHALE_STORAGE_OCI_IMAGE_CONFIG_H_
