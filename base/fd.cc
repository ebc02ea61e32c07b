#include "base/fd.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <random>

namespace shale {

void UniqueFd::Reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

Status WriteAll(int fd, const void* data, size_t len) {
  const char* p = static_cast<const char*>(data);
  while (len > 0) {
    ssize_t n = ::write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoToStatus(errno, "write");
    }
    p += n;
    len -= static_cast<size_t>(n);
  }
  return Status();
}

Result<size_t> ReadSome(int fd, void* buf, size_t len) {
  while (true) {
    ssize_t n = ::read(fd, buf, len);
    if (n >= 0) return static_cast<size_t>(n);
    if (errno != EINTR) return ErrnoToStatus(errno, "read");
  }
}

Result<std::string> ReadAll(int fd, size_t max_bytes) {
  std::string out;
  char buf[65536];
  while (true) {
    ASSIGN_OR_RETURN(size_t n, ReadSome(fd, buf, sizeof buf));
    if (n == 0) break;
    if (out.size() + n > max_bytes)
      return ResourceExhaustedError("content exceeds the cap of " + std::to_string(max_bytes) + " bytes");
    out.append(buf, n);
  }
  return out;
}

Result<std::string> ReadFileCapped(const std::string& path, size_t max_bytes) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoToStatus(errno, "open " + path);
  auto r = ReadAll(fd.get(), max_bytes);
  if (!r.ok()) return r.status().Annotate(path);
  return r;
}

Status FsyncDir(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoToStatus(errno, "open dir " + dir);
  if (::fsync(fd.get()) != 0) return ErrnoToStatus(errno, "fsync dir " + dir);
  return Status();
}

Status WriteFileAtomic(const std::string& path, std::string_view data, int mode) {
  std::filesystem::path p(path);
  std::string dir = p.has_parent_path() ? p.parent_path().string() : ".";
  static thread_local std::mt19937_64 rng(std::random_device{}());
  std::string tmp = dir + "/." + p.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                    std::to_string(rng() % 1000000000);
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (!fd.valid()) return ErrnoToStatus(errno, "create " + tmp);
  Status s = WriteAll(fd.get(), data);
  if (s.ok() && ::fchmod(fd.get(), static_cast<mode_t>(mode)) != 0) s = ErrnoToStatus(errno, "chmod " + tmp);
  if (s.ok() && ::fsync(fd.get()) != 0) s = ErrnoToStatus(errno, "fsync " + tmp);
  fd.Reset();
  if (s.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) s = ErrnoToStatus(errno, "rename to " + path);
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s.Annotate("writing " + path);
  }
  return FsyncDir(dir);
}

Status MakeDirs(const std::string& path, int mode) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return ErrnoToStatus(ec.value(), "mkdir " + path);
  (void)mode;
  return Status();
}

Status RemoveTree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) return ErrnoToStatus(ec.value(), "remove " + path);
  return Status();
}

std::vector<std::string> ListDirNames(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return names;
  while (struct dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(std::move(n));
  }
  ::closedir(d);
  return names;
}

}  // namespace shale
