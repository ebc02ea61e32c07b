#include "registry/tls_config.h"

#include <dirent.h>

#include <algorithm>
#include <cstdlib>

namespace shale {
namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Status ReadDir(const std::string& dir, TlsConfig& tls) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return Status::Ok();
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) names.emplace_back(e->d_name);
  ::closedir(d);
  std::sort(names.begin(), names.end());
  auto has = [&](const std::string& n) { return std::find(names.begin(), names.end(), n) != names.end(); };
  for (const auto& n : names) {
    if (EndsWith(n, ".crt")) tls.ca_files.push_back(dir + "/" + n);
    if (EndsWith(n, ".cert")) {
      std::string key = n.substr(0, n.size() - 5) + ".key";
      if (!has(key)) return InvalidArgumentError("client certificate " + dir + "/" + n + " has no matching " + key);
      if (tls.client_cert.empty()) {
        tls.client_cert = dir + "/" + n;
        tls.client_key = dir + "/" + key;
      }
    }
    if (EndsWith(n, ".key")) {
      std::string cert = n.substr(0, n.size() - 4) + ".cert";
      if (!has(cert)) return InvalidArgumentError("client key " + dir + "/" + n + " has no matching " + cert);
    }
  }
  return Status::Ok();
}

}  // namespace

std::vector<std::string> DefaultCertDirs(const std::string& host_port) {
  std::vector<std::string> dirs;
  if (const char* home = std::getenv("HOME"); home && *home)
    dirs.push_back(std::string(home) + "/.config/containers/certs.d/" + host_port);
  dirs.push_back("/etc/containers/certs.d/" + host_port);
  dirs.push_back("/etc/docker/certs.d/" + host_port);
  return dirs;
}

Result<TlsConfig> TlsConfigForHost(const std::string& host_port, const std::string& cert_dir, bool verify) {
  TlsConfig tls;
  tls.verify = verify;
  if (!cert_dir.empty()) {
    RETURN_IF_ERROR(ReadDir(cert_dir, tls));
    return tls;
  }
  for (const auto& d : DefaultCertDirs(host_port)) RETURN_IF_ERROR(ReadDir(d, tls));
  return tls;
}

}  // namespace shale
