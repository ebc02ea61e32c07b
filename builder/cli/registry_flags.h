// Flags every registry-facing command shares (pull, push, login, and build's
// FROM pulls): --tls-verify, --cert-dir, --creds, --authfile, --retry,
// --retry-delay. Header-only so any cmd_*.cc can use it.
#ifndef SHALE_BUILDER_CLI_REGISTRY_FLAGS_H_
#define SHALE_BUILDER_CLI_REGISTRY_FLAGS_H_

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdlib>
#include <string>

#include "registry/session.h"

namespace shale::cli {

struct RegistryFlags {
  bool tls_verify = true;
  CLI::Option* tls_verify_opt = nullptr;
  std::string cert_dir;
  std::string creds;
  std::string authfile;
  int retry = 3;
  std::string retry_delay;
};

inline void AddRegistryFlags(CLI::App* cmd, RegistryFlags& f, bool with_creds = true) {
  f.tls_verify_opt = cmd->add_flag("--tls-verify{true}", f.tls_verify,
                                   "Require HTTPS and verify certificates (--tls-verify=false: neither)");
  cmd->add_option("--cert-dir", f.cert_dir, "Directory with *.crt CAs and *.cert/*.key client certificates");
  cmd->add_option("--authfile", f.authfile, "Auth file (default: $REGISTRY_AUTH_FILE, podman's locations)");
  if (with_creds) {
    cmd->add_option("--creds", f.creds, "Credentials USER[:PASSWORD] for the registry");
    cmd->add_option("--retry", f.retry, "Retries after a network or 5xx/429 failure (default 3)");
    cmd->add_option("--retry-delay", f.retry_delay, "First delay between retries, e.g. 500ms or 2s");
  }
}

// "2s", "500ms", "1" (seconds). -1 when malformed.
inline long long ParseDelayMillis(const std::string& text) {
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || v < 0) return -1;
  std::string unit(end);
  if (unit == "ms") return static_cast<long long>(v);
  if (unit.empty() || unit == "s") return static_cast<long long>(v * 1000);
  if (unit == "m") return static_cast<long long>(v * 60000);
  return -1;
}

// InvalidArgument for a bad --retry-delay or --retry.
inline Result<RegistryOptions> ToRegistryOptions(const RegistryFlags& f) {
  RegistryOptions o;
  o.credentials.creds = f.creds;
  o.credentials.authfile = f.authfile;
  o.cert_dir = f.cert_dir;
  if (f.tls_verify_opt && f.tls_verify_opt->count() > 0) o.tls_verify = f.tls_verify;
  if (f.retry < 0 || f.retry > 100) return InvalidArgumentError("--retry must be between 0 and 100");
  o.retry.max_attempts = f.retry + 1;
  if (!f.retry_delay.empty()) {
    long long ms = ParseDelayMillis(f.retry_delay);
    if (ms < 0) return InvalidArgumentError("--retry-delay: bad duration \"" + f.retry_delay + "\"");
    o.retry.initial_delay = std::chrono::milliseconds(ms);
  }
  return o;
}

}  // namespace shale::cli

#endif  // SHALE_BUILDER_CLI_REGISTRY_FLAGS_H_
