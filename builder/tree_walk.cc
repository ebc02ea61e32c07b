#include "builder/tree_walk.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "base/fd.h"

namespace shale {
namespace {

constexpr int kMaxDepth = 4096;

Result<std::vector<std::string>> ListDir(int dirfd) {
  int dup_fd = ::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dup_fd < 0) return ErrnoToStatus(errno, "open directory");
  DIR* dir = ::fdopendir(dup_fd);
  if (dir == nullptr) {
    int err = errno;
    ::close(dup_fd);
    return ErrnoToStatus(err, "fdopendir");
  }
  std::vector<std::string> names;
  errno = 0;
  while (struct dirent* e = ::readdir(dir)) {
    std::string_view n(e->d_name);
    if (n == "." || n == "..") continue;
    names.emplace_back(n);
  }
  int err = errno;
  ::closedir(dir);
  if (err != 0) return ErrnoToStatus(err, "readdir");
  std::sort(names.begin(), names.end());
  return names;
}

Status WalkDir(int dirfd, const std::string& rel, int depth, const WalkVisitor& visit) {
  if (depth > kMaxDepth) return ResourceExhaustedError("directory tree deeper than " + std::to_string(kMaxDepth));
  ASSIGN_OR_RETURN(auto names, ListDir(dirfd));
  for (const auto& name : names) {
    WalkEntry e;
    e.rel = rel.empty() ? name : rel + "/" + name;
    e.name = name;
    e.parent_fd = dirfd;
    if (::fstatat(dirfd, name.c_str(), &e.st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) continue;  // removed while walking
      return ErrnoToStatus(errno, "stat " + e.rel);
    }
    if (S_ISLNK(e.st.st_mode)) {
      std::string buf(static_cast<size_t>(std::max<off_t>(e.st.st_size, 255)) + 1, '\0');
      ssize_t n = ::readlinkat(dirfd, name.c_str(), buf.data(), buf.size());
      if (n < 0) return ErrnoToStatus(errno, "readlink " + e.rel);
      buf.resize(static_cast<size_t>(n));
      e.link_target = std::move(buf);
    }
    ASSIGN_OR_RETURN(bool descend, visit(e));
    if (descend && S_ISDIR(e.st.st_mode)) {
      UniqueFd child(::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!child.valid()) return ErrnoToStatus(errno, "open " + e.rel);
      RETURN_IF_ERROR(WalkDir(child.get(), e.rel, depth + 1, visit));
    }
  }
  return Status();
}

}  // namespace

Status WalkTree(int root_fd, const WalkVisitor& visit) {
  WalkEntry root;
  root.parent_fd = root_fd;
  if (::fstat(root_fd, &root.st) != 0) return ErrnoToStatus(errno, "stat walk root");
  ASSIGN_OR_RETURN(bool descend, visit(root));
  if (!descend || !S_ISDIR(root.st.st_mode)) return Status();
  return WalkDir(root_fd, "", 1, visit);
}

}  // namespace shale
