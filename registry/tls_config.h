// Where a host's TLS settings come from, as containers-certs.d(5) says:
// with --cert-dir D only D is read; otherwise ~/.config/containers/certs.d/HOST[:PORT]/,
// /etc/containers/certs.d/HOST[:PORT]/ and /etc/docker/certs.d/HOST[:PORT]/.
// In those dirs *.crt files are extra CAs (the system CAs stay trusted) and a
// *.cert with the *.key of the same base name is a client certificate.
#ifndef SHALE_REGISTRY_TLS_CONFIG_H_
#define SHALE_REGISTRY_TLS_CONFIG_H_

#include <string>
#include <vector>

#include "base/status.h"
#include "registry/http_transport.h"

namespace shale {

// host_port is the reference domain ("127.0.0.1:5000"). InvalidArgument when a
// *.cert has no matching *.key (or the reverse).
Result<TlsConfig> TlsConfigForHost(const std::string& host_port, const std::string& cert_dir, bool verify);

// The certs.d folders searched for host_port when no --cert-dir is given.
std::vector<std::string> DefaultCertDirs(const std::string& host_port);

}  // namespace shale

#endif  // SHALE_REGISTRY_TLS_CONFIG_H_
