// The per-step /etc/resolv.conf, /etc/hosts and /etc/hostname, written to a
// scratch directory outside the rootfs (mounted or copied in by a backend).
#ifndef SHALE_RUNTIME_INTERNAL_ETC_FILES_H_
#define SHALE_RUNTIME_INTERNAL_ETC_FILES_H_

#include <string>
#include <vector>

#include "base/status.h"
#include "runtime/namespace_plan.h"
#include "runtime/run_spec.h"

namespace shale::runtime::internal {

// A temporary directory, removed with its contents on destruction.
class ScratchDir {
 public:
  static Result<ScratchDir> Create(const std::string& prefix);
  ScratchDir(ScratchDir&& o) noexcept : path_(std::move(o.path_)) { o.path_.clear(); }
  ScratchDir& operator=(ScratchDir&&) = delete;
  ~ScratchDir();
  const std::string& path() const { return path_; }

 private:
  explicit ScratchDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// /etc/hosts for a step: localhost lines, the hostname, then `extra`.
std::string HostsFileContent(const std::string& hostname, const std::vector<RunSpec::HostEntry>& extra = {});

// The step's resolv.conf: `host` (the host's file, may be empty) with the
// spec's dns_servers / dns_search / dns_options replacing the lines of their
// kind.
std::string ResolvConfContent(const std::string& host, const RunSpec& spec);

// Writes the files the spec asks for into `dir`; returns their paths (empty
// fields for files not provided: provide_etc_files false, no host
// resolv.conf, or no hostname).
Result<EtcFileSources> WriteEtcFiles(const std::string& dir, const RunSpec& spec);

// Logs each degradation line once per process (SHALE_LOG(Warning)).
void WarnOnce(const std::string& backend, const std::vector<std::string>& lines);

}  // namespace shale::runtime::internal

#endif  // SHALE_RUNTIME_INTERNAL_ETC_FILES_H_
