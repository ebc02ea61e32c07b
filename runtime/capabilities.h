// Linux capability sets of a RUN step as bit masks: bit N stands for
// capability N of <linux/capability.h> (CAP_CHOWN = bit 0).
#ifndef SHALE_RUNTIME_CAPABILITIES_H_
#define SHALE_RUNTIME_CAPABILITIES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace shale::runtime {

// buildah's (and docker's) default set for RUN steps: CHOWN, DAC_OVERRIDE,
// FOWNER, FSETID, KILL, SETGID, SETUID, SETPCAP, NET_BIND_SERVICE, NET_RAW,
// SYS_CHROOT, MKNOD, AUDIT_WRITE, SETFCAP.
inline constexpr uint64_t kDefaultCapabilities = 0xa80425fbULL;

// The highest capability number this build can name (CAP_CHECKPOINT_RESTORE).
inline constexpr int kLastKnownCapability = 40;

// "CAP_SYS_PTRACE" for 19; empty for a number this build cannot name.
std::string_view CapabilityName(int cap);

// The names of the capabilities in `mask`, in number order; bits this build
// cannot name are left out.
std::vector<std::string> CapabilityNames(uint64_t mask);

// The calling thread's bounding set (PR_CAPBSET_READ): what any process it
// starts can ever hold.
uint64_t BoundingCapabilities();

}  // namespace shale::runtime

#endif  // SHALE_RUNTIME_CAPABILITIES_H_
