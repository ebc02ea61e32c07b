// Parent-side preparation of a rootfs for one step: creates the missing mount
// points (and, for a plain chroot, device nodes and /etc files) that a plan
// asks for, and removes exactly those again afterwards, restoring the parent
// directories' atime/mtime so the step's layer diff does not see them.
#ifndef SHALE_RUNTIME_ROOTFS_PREP_H_
#define SHALE_RUNTIME_ROOTFS_PREP_H_

#include <sys/stat.h>

#include <string>
#include <vector>

#include "base/fd.h"
#include "base/status.h"
#include "runtime/namespace_plan.h"

namespace shale::runtime {

class RootfsPreparation {
 public:
  // Applies `ops` in order, each only where its path is missing (following
  // symlinks inside the rootfs). On failure of a non-optional op, undoes what
  // was done and returns the error. Optional ops that fail are listed in
  // skipped().
  static Result<RootfsPreparation> Apply(const std::string& rootfs, const std::vector<PrepOp>& ops);

  RootfsPreparation(RootfsPreparation&&) noexcept = default;
  RootfsPreparation& operator=(RootfsPreparation&&) noexcept = default;
  ~RootfsPreparation() { Undo(); }

  // Removes what Apply created, deepest first, and restores the parents'
  // times unless the step itself changed them. Idempotent. Returns the
  // touched parent directories (rootfs-absolute).
  std::vector<std::string> Undo();

  // Rootfs paths Apply created (in creation order).
  std::vector<std::string> created() const;
  const std::vector<std::string>& skipped() const { return skipped_; }

 private:
  RootfsPreparation() = default;
  Status ApplyOne(const PrepOp& op);
  Status EnsureDirs(const std::string& path);
  Status Touch(const std::string& dir);

  struct Created {
    std::string path;
    mode_t type;  // S_IFDIR, S_IFREG or S_IFCHR
  };
  struct Touched {
    std::string path;
    struct timespec before[2];
    struct timespec after_mtime;
  };
  UniqueFd root_;
  std::vector<Created> created_;
  std::vector<Touched> touched_;
  std::vector<std::string> skipped_;
  bool undone_ = false;
};

}  // namespace shale::runtime

#endif  // SHALE_RUNTIME_ROOTFS_PREP_H_
