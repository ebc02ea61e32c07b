#include "runtime/internal/etc_files.h"

#include <errno.h>
#include <stdlib.h>

#include <mutex>
#include <set>

#include "base/fd.h"
#include "base/log.h"
#include "base/text.h"

namespace shale::runtime::internal {

Result<ScratchDir> ScratchDir::Create(const std::string& prefix) {
  const char* tmp = getenv("TMPDIR");
  std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/" + prefix + "XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) return ErrnoToStatus(errno, "creating a scratch directory");
  return ScratchDir(tmpl);
}

ScratchDir::~ScratchDir() {
  if (!path_.empty()) RemoveTree(path_).IgnoreError();
}

std::string HostsFileContent(const std::string& hostname, const std::vector<RunSpec::HostEntry>& extra) {
  std::string out = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";
  if (!hostname.empty()) out += "127.0.1.1\t" + hostname + "\n";
  for (const auto& h : extra) out += h.ip + "\t" + h.name + "\n";
  return out;
}

std::string ResolvConfContent(const std::string& host, const RunSpec& spec) {
  auto joined = [](const std::vector<std::string>& words) {
    std::string s;
    for (const auto& w : words) s += " " + w;
    return s;
  };
  std::string out;
  for (std::string_view line : SplitLines(host)) {
    std::string_view word = line.substr(0, line.find_first_of(" \t"));
    bool replaced = (word == "nameserver" && !spec.dns_servers.empty()) ||
                    ((word == "search" || word == "domain") && !spec.dns_search.empty()) ||
                    (word == "options" && !spec.dns_options.empty());
    if (!replaced) out.append(line).append("\n");
  }
  if (!spec.dns_search.empty()) out += "search" + joined(spec.dns_search) + "\n";
  for (const auto& server : spec.dns_servers) out += "nameserver " + server + "\n";
  if (!spec.dns_options.empty()) out += "options" + joined(spec.dns_options) + "\n";
  return out;
}

Result<EtcFileSources> WriteEtcFiles(const std::string& dir, const RunSpec& spec) {
  EtcFileSources out;
  if (!spec.provide_etc_files) return out;
  auto resolv = ReadFileCapped("/etc/resolv.conf", 1 << 16);
  bool dns = !spec.dns_servers.empty() || !spec.dns_search.empty() || !spec.dns_options.empty();
  if (resolv.ok() || dns) {
    out.resolv_conf = dir + "/resolv.conf";
    RETURN_IF_ERROR(WriteFileAtomic(out.resolv_conf, ResolvConfContent(resolv.ok() ? *resolv : "", spec), 0644));
  }
  out.hosts = dir + "/hosts";
  RETURN_IF_ERROR(WriteFileAtomic(out.hosts, HostsFileContent(spec.hostname, spec.extra_hosts), 0644));
  if (!spec.hostname.empty()) {
    out.hostname = dir + "/hostname";
    RETURN_IF_ERROR(WriteFileAtomic(out.hostname, spec.hostname + "\n", 0644));
  }
  return out;
}

void WarnOnce(const std::string& backend, const std::vector<std::string>& lines) {
  static std::mutex mu;
  static std::set<std::string> seen;
  std::lock_guard<std::mutex> lock(mu);
  for (const auto& l : lines) {
    if (seen.insert(backend + l).second) SHALE_LOG(Warning) << backend << " isolation degraded: " << l;
  }
}

}  // namespace shale::runtime::internal
