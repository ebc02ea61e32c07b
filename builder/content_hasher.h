// ContentHasher: sha256 of file contents for cache keys, memoised so that an
// unchanged build context is only stat-ed, never re-read.
//
// The memo is a validity check, not part of any key: an entry is reused only
// when (device, inode, size, mtime, ctime) all match, so touching a file makes
// us re-read it — and since keys hold content digests, the key is unchanged.
//
// On disk (one file per context directory, rewritten atomically by Save()):
//   <root>/shale/hash-memo/v1/<sha256 of the context's absolute path>
//   {"v":1,"entries":{"<rel path>":[dev,ino,size,mtime_ns,ctime_ns,"<hex>"],…}}
// A missing or corrupt memo is an empty one.
#ifndef SHALE_BUILDER_CONTENT_HASHER_H_
#define SHALE_BUILDER_CONTENT_HASHER_H_

#include <sys/stat.h>

#include <map>
#include <mutex>
#include <string>

#include "base/digest.h"
#include "base/status.h"

namespace shale {

class ContentHasher {
 public:
  // memo_path empty: no persistence.
  explicit ContentHasher(std::string memo_path);

  // Digest of the regular file `name` in parent_fd (opened O_NOFOLLOW), whose
  // lstat is st. `memo_key` identifies it in the memo (its context-relative path).
  Result<Digest> HashFile(int parent_fd, const std::string& name, const struct stat& st,
                          const std::string& memo_key);
  // The same for a file already open for reading.
  Result<Digest> HashFd(int fd, const struct stat& st, const std::string& memo_key);
  // Writes the memo back when this run hashed anything new.
  Status Save();

  int64_t files_read() const { return files_read_; }

 private:
  struct Entry {
    uint64_t dev, ino, size;
    int64_t mtime_ns, ctime_ns;
    std::string hex;
  };
  void Load();

  std::string memo_path_;
  std::mutex mu_;
  std::map<std::string, Entry> old_, used_;
  bool dirty_ = false;
  int64_t files_read_ = 0;
};

// Memo file path for a context directory under a store root.
std::string HashMemoPath(const std::string& store_root, const std::string& context_abs_path);

}  // namespace shale

#endif  // SHALE_BUILDER_CONTENT_HASHER_H_
