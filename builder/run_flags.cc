#include "builder/run_flags.h"

#include <sys/stat.h>

#include <cerrno>

#include "builder/build_flag_values.h"

namespace shale {

uint64_t RunCapabilities(const BuildOptions& options) {
  uint64_t caps = runtime::kDefaultCapabilities;
  for (int c : options.cap_add) {
    if (c >= 0 && c < 64) caps |= 1ULL << c;
  }
  for (int c : options.cap_drop) {
    if (c >= 0 && c < 64) caps &= ~(1ULL << c);
  }
  return caps;
}

Status ApplyRunFlags(const BuildOptions& options, runtime::RunSpec& spec) {
  spec.capabilities = RunCapabilities(options);
  spec.dns_servers = options.dns_servers;
  spec.dns_search = options.dns_search;
  spec.dns_options = options.dns_options;
  for (const auto& [name, ip] : options.add_hosts) spec.extra_hosts.push_back({name, ip});
  for (const std::string& flag : options.devices) {
    ASSIGN_OR_RETURN(DeviceSpec d, ParseDeviceFlag(flag));
    struct stat st;
    if (::stat(d.host.c_str(), &st) != 0) return ErrnoToStatus(errno, "--device " + flag + ": stat " + d.host);
    runtime::MountSpec m;
    m.type = runtime::MountSpec::Type::kBind;
    m.source = d.host;
    m.target = d.container;
    m.readonly = d.permissions.find('w') == std::string::npos;
    spec.mounts.push_back(std::move(m));
  }
  return Status();
}

}  // namespace shale
