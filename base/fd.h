// UniqueFd and small fd helpers. All fds shale opens are O_CLOEXEC.
#ifndef SHALE_BASE_FD_H_
#define SHALE_BASE_FD_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace shale {

// Owns a file descriptor; closes it on destruction. -1 means none.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { Reset(); }
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.Release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) Reset(o.Release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int Release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void Reset(int fd = -1);

 private:
  int fd_ = -1;
};

// Writes all of data, retrying on EINTR and short writes.
Status WriteAll(int fd, const void* data, size_t len);
inline Status WriteAll(int fd, std::string_view data) { return WriteAll(fd, data.data(), data.size()); }
// Reads up to len bytes, retrying EINTR; returns bytes read (0 at EOF).
Result<size_t> ReadSome(int fd, void* buf, size_t len);
// Reads the whole fd. ResourceExhausted when it holds more than max_bytes.
Result<std::string> ReadAll(int fd, size_t max_bytes);
// Opens path (O_RDONLY|O_CLOEXEC) and reads it whole, capped at max_bytes.
Result<std::string> ReadFileCapped(const std::string& path, size_t max_bytes);
// Writes data to path atomically: temp file in the same dir, fsync, rename, fsync dir.
Status WriteFileAtomic(const std::string& path, std::string_view data, int mode = 0644);
// fsyncs a directory.
Status FsyncDir(const std::string& dir);
// Creates dir and parents (mode 0755 unless given). OK if it exists.
Status MakeDirs(const std::string& path, int mode = 0755);
// Removes a tree without following symlinks. OK if it does not exist.
Status RemoveTree(const std::string& path);

// Names in directory `dir` except "." and "..", in readdir order; empty when
// the directory cannot be opened (callers treat a missing dir as empty).
std::vector<std::string> ListDirNames(const std::string& dir);

}  // namespace shale

#endif  // SHALE_BASE_FD_H_
