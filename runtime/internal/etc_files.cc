#include "runtime/internal/etc_files.h"

#include <errno.h>
#include <stdlib.h>

#include <mutex>
#include <set>

#include "base/fd.h"
#include "base/log.h"

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

std::string HostsFileContent(const std::string& hostname) {
  std::string out = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";
  if (!hostname.empty()) out += "127.0.1.1\t" + hostname + "\n";
  return out;
}

Result<EtcFileSources> WriteEtcFiles(const std::string& dir, const RunSpec& spec) {
  EtcFileSources out;
  if (!spec.provide_etc_files) return out;
  auto resolv = ReadFileCapped("/etc/resolv.conf", 1 << 16);
  if (resolv.ok()) {
    out.resolv_conf = dir + "/resolv.conf";
    RETURN_IF_ERROR(WriteFileAtomic(out.resolv_conf, *resolv, 0644));
  }
  out.hosts = dir + "/hosts";
  RETURN_IF_ERROR(WriteFileAtomic(out.hosts, HostsFileContent(spec.hostname), 0644));
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
