#include "registry/session.h"

#include "registry/tls_config.h"

namespace shale {

Result<std::unique_ptr<RegistrySession>> RegistrySession::Create(const RegistryOptions& options) {
  auto s = std::unique_ptr<RegistrySession>(new RegistrySession());
  s->options_ = options;
  if (options.registries_conf) {
    s->conf_ = *options.registries_conf;
  } else {
    ASSIGN_OR_RETURN(s->conf_, RegistriesConf::Load());
  }
  if (options.transport_override) {
    s->transport_ = options.transport_override;
  } else {
    s->owned_ = std::make_unique<CurlTransport>(options.transport);
    s->transport_ = s->owned_.get();
  }
  return s;
}

Result<std::unique_ptr<RegistryClient>> RegistrySession::ClientFor(const std::string& domain, const std::string& path,
                                                                   bool insecure) {
  RegistryEndpoint ep;
  ep.domain = domain;
  ep.insecure = options_.tls_verify.has_value() ? !*options_.tls_verify : insecure;
  ASSIGN_OR_RETURN(ep.tls, TlsConfigForHost(domain, options_.cert_dir, !ep.insecure));
  ASSIGN_OR_RETURN(std::optional<Credentials> creds, LookupCredentials(options_.credentials, domain, path));
  return std::make_unique<RegistryClient>(*transport_, std::move(ep), std::move(creds), options_.retry);
}

}  // namespace shale
