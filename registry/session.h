// RegistryOptions and RegistrySession: what every registry command (pull,
// push, login, logout, and the builder's FROM) is told, and the per-command
// state built from it: one transport (connection reuse), registries.conf,
// and clients per registry.
#ifndef SHALE_REGISTRY_SESSION_H_
#define SHALE_REGISTRY_SESSION_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "base/status.h"
#include "registry/client.h"
#include "registry/credentials.h"
#include "registry/curl_transport.h"
#include "registry/registries_conf.h"

namespace shale {

struct RegistryOptions {
  CredentialOptions credentials;     // --creds, --authfile
  std::optional<bool> tls_verify;    // --tls-verify; nullopt: registries.conf decides
  std::string cert_dir;              // --cert-dir
  RetryPolicy retry;                 // --retry N → max_attempts N+1; --retry-delay
  TransportOptions transport = TransportOptionsFromEnv();
  // Tests: use this transport instead of libcurl (not owned).
  HttpTransport* transport_override = nullptr;
  // nullopt: RegistriesConf::Load().
  std::optional<RegistriesConf> registries_conf;
  // Receives the user-facing progress lines ("Copying blob …"); null: silent.
  std::function<void(const std::string&)> progress;
};

class RegistrySession {
 public:
  static Result<std::unique_ptr<RegistrySession>> Create(const RegistryOptions& options);

  const RegistryOptions& options() const { return options_; }
  const RegistriesConf& conf() const { return conf_; }
  HttpTransport& transport() { return *transport_; }
  void Progress(const std::string& line) const {
    if (options_.progress) options_.progress(line);
  }

  // A client for `domain` with the credentials found for repository `path`
  // (empty for login). insecure: what registries.conf says for it;
  // --tls-verify overrides it either way.
  Result<std::unique_ptr<RegistryClient>> ClientFor(const std::string& domain, const std::string& path,
                                                    bool insecure);

 private:
  RegistryOptions options_;
  RegistriesConf conf_;
  std::unique_ptr<HttpTransport> owned_;
  HttpTransport* transport_ = nullptr;
};

}  // namespace shale

#endif  // SHALE_REGISTRY_SESSION_H_
