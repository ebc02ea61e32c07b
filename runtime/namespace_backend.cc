#include "runtime/namespace_backend.h"

#include <sys/stat.h>

#include "runtime/internal/child_exec.h"
#include "runtime/internal/etc_files.h"
#include "runtime/namespace_plan.h"
#include "runtime/rootfs_prep.h"

namespace shale::runtime {

std::string_view IsolationName(Isolation isolation) {
  switch (isolation) {
    case Isolation::kChroot:
      return "chroot";
    case Isolation::kRootless:
      return "rootless";
    case Isolation::kOci:
      return "oci";
  }
  return "unknown";
}

Result<ExitStatus> NamespaceBackend::Run(const RunSpec& spec) {
  RETURN_IF_ERROR(ValidateRunSpec(spec));
  struct stat st;
  if (stat(spec.rootfs.c_str(), &st) != 0) return ErrnoToStatus(errno, "rootfs " + spec.rootfs);
  if (!S_ISDIR(st.st_mode)) return InvalidArgumentError("rootfs " + spec.rootfs + " is not a directory");
  std::string name(IsolationName(kind_));
  ASSIGN_OR_RETURN(auto scratch, internal::ScratchDir::Create("shale-run-"));
  ASSIGN_OR_RETURN(EtcFileSources etc, internal::WriteEtcFiles(scratch.path(), spec));
  ASSIGN_OR_RETURN(NamespacePlan plan, PlanNamespaces(spec, kind_, ProbeHostFeatures(), etc));
  internal::WarnOnce(name, plan.degradations);
  ASSIGN_OR_RETURN(RootfsPreparation prep, RootfsPreparation::Apply(spec.rootfs, plan.prepare));
  internal::WarnOnce(name, prep.skipped());
  auto result = internal::ExecutePlan(spec, plan);
  std::vector<std::string> touched = prep.Undo();
  if (!result.ok()) return result.status();
  result->touched_dirs = std::move(touched);
  return result;
}

}  // namespace shale::runtime
