// Rootless shale: a non-root user re-enters shale inside a user namespace
// (plus a private mount namespace) where they are root, mapped with their
// full /etc/subuid and /etc/subgid ranges through newuidmap/newgidmap —
// what `buildah unshare` does. Layer apply and diff then see real ownership
// (container ids 1..N exist), and the rootless/chroot backends can create
// the step's namespaces.
//
// Use: first thing in main(), while the process is single-threaded, for the
// commands that need it (build, run-step, unshare):
//
//   auto reexec = runtime::MaybeReexecInUserNamespace(argc, argv);
//   if (!reexec.ok()) { report; return 125; }
//   if (*reexec) return **reexec;   // the copy inside the namespace ran
//
// Inside, geteuid() == 0; HostUid()/HostGid() still name the user (for
// choosing per-user defaults such as the store root).
#ifndef SHALE_RUNTIME_USERNS_REEXEC_H_
#define SHALE_RUNTIME_USERNS_REEXEC_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "runtime/id_map.h"

namespace shale::runtime {

// Set in the re-executed process: the original uid and gid.
inline constexpr char kRootlessUidEnv[] = "_SHALE_ROOTLESS_UID";
inline constexpr char kRootlessGidEnv[] = "_SHALE_ROOTLESS_GID";

// nullopt: carry on in this process (already root, or already inside).
// A value: the exit code of the copy that ran inside the namespace (128+N
// when it died of signal N); return it from main. Errors: FailedPrecondition
// when user namespaces are denied or newuidmap/newgidmap fail (message says
// how to fix it).
Result<std::optional<int>> MaybeReexecInUserNamespace(int argc, char** argv);

// True inside the namespace MaybeReexecInUserNamespace set up.
bool InShaleUserNamespace();
// The user who ran shale (getuid()/getgid() outside shale's namespace).
uid_t HostUid();
gid_t HostGid();

// The maps for a user. Pure. With no subordinate ranges, a single-id map and
// a warning saying what cannot work.
struct UserNamespaceMaps {
  std::vector<IdMapping> uid_map;
  std::vector<IdMapping> gid_map;
  bool use_helpers = false;  // newuidmap/newgidmap (else write the single map ourselves)
  std::string warning;       // empty when the full mapping is used
};
UserNamespaceMaps PlanUserNamespaceMaps(uid_t uid, gid_t gid, std::string_view user_name,
                                        std::string_view subuid_text, std::string_view subgid_text);

}  // namespace shale::runtime

#endif  // SHALE_RUNTIME_USERNS_REEXEC_H_
