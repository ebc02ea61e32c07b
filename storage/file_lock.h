// FileLock: an open-file-description (OFD) lock on a whole file.
//
// OFD locks (fcntl F_OFD_SETLK/F_OFD_SETLKW) belong to the open file, not the
// process: they work between threads of one process as between processes,
// are not dropped when some other fd on the same file is closed, and vanish
// when the holder dies (kill -9 included), so a lock file never needs cleanup.
#ifndef SHALE_STORAGE_FILE_LOCK_H_
#define SHALE_STORAGE_FILE_LOCK_H_

#include <string>

#include "base/fd.h"
#include "base/status.h"

namespace shale {

class FileLock {
 public:
  enum class Mode { kShared, kExclusive };

  FileLock() = default;
  FileLock(FileLock&&) noexcept = default;
  FileLock& operator=(FileLock&&) noexcept = default;
  ~FileLock() = default;  // closing the fd releases the lock

  // Opens (creating, mode 0644) `path` and waits for the lock.
  static Result<FileLock> Acquire(const std::string& path, Mode mode);
  // As Acquire but does not wait: Unavailable when someone else holds a
  // conflicting lock.
  static Result<FileLock> TryAcquire(const std::string& path, Mode mode);
  // Locks an fd this process already has open (e.g. a temp file it writes),
  // without waiting. Unavailable when held elsewhere.
  static Status TryLockFd(int fd, Mode mode);

  bool held() const { return fd_.valid(); }
  int fd() const { return fd_.get(); }
  void Release() { fd_.Reset(); }

 private:
  explicit FileLock(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

}  // namespace shale

#endif  // SHALE_STORAGE_FILE_LOCK_H_
