#include "storage/file_lock.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace shale {

namespace {

int LockCmd(bool wait) { return wait ? F_OFD_SETLKW : F_OFD_SETLK; }

Status LockFd(int fd, FileLock::Mode mode, bool wait, const std::string& what) {
  struct flock fl = {};
  fl.l_type = mode == FileLock::Mode::kExclusive ? F_WRLCK : F_RDLCK;
  fl.l_whence = SEEK_SET;
  fl.l_start = 0;
  fl.l_len = 0;  // whole file
  fl.l_pid = 0;  // required for OFD locks
  while (::fcntl(fd, LockCmd(wait), &fl) != 0) {
    if (errno == EINTR) continue;
    if (!wait && (errno == EAGAIN || errno == EACCES)) return UnavailableError(what + " is locked by another process");
    return ErrnoToStatus(errno, "locking " + what);
  }
  return Status();
}


}  // namespace

Result<FileLock> FileLock::Acquire(const std::string& path, Mode mode) {
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!fd.valid()) return ErrnoToStatus(errno, "opening lock " + path);
  RETURN_IF_ERROR(LockFd(fd.get(), mode, true, path));
  return FileLock(std::move(fd));
}

Result<FileLock> FileLock::TryAcquire(const std::string& path, Mode mode) {
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!fd.valid()) return ErrnoToStatus(errno, "opening lock " + path);
  RETURN_IF_ERROR(LockFd(fd.get(), mode, false, path));
  return FileLock(std::move(fd));
}

Status FileLock::TryLockFd(int fd, Mode mode) { return LockFd(fd, mode, false, "file"); }

}  // namespace shale
