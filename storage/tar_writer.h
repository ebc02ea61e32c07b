// TarWriter: deterministic POSIX.1-2001 (PAX) tar encoding.
//
// Each entry is a ustar header (magic "ustar\0", version "00"), preceded by a
// PAX extended header ('x', named "././@PaxHeader", mode 0644, owner 0:0,
// mtime 0) only when a field does not fit ustar: path or link target longer
// than 100 bytes, size >= 8 GiB, uid/gid >= 2^21, mtime outside 0..8^11-1,
// and for every xattr (SCHILY.xattr.<name>, in name order). Records appear in
// a fixed order, user/group names are always empty, times are whole seconds,
// directories end in '/'. The archive ends with two zero blocks.
#ifndef SHALE_STORAGE_TAR_WRITER_H_
#define SHALE_STORAGE_TAR_WRITER_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/byte_sink.h"
#include "base/status.h"

namespace shale {

enum class TarType { kFile, kDir, kSymlink, kHardlink, kChar, kBlock, kFifo };

struct TarEntry {
  std::string path;  // relative, '/'-separated, no leading '/' or "./", no trailing '/'
  TarType type = TarType::kFile;
  uint32_t mode = 0644;  // permission bits incl. setuid/setgid/sticky (07777)
  int64_t uid = 0;
  int64_t gid = 0;
  int64_t size = 0;  // kFile only
  int64_t mtime = 0;
  std::string link_target;  // symlink target (verbatim) or hardlink target path
  uint32_t dev_major = 0;
  uint32_t dev_minor = 0;
  std::vector<std::pair<std::string, std::string>> xattrs;  // sorted by name
};

class TarWriter {
 public:
  explicit TarWriter(ByteSink* out) : out_(out) {}

  // Writes the header(s) of an entry. For kFile, exactly entry.size bytes must
  // follow through WriteData before the next header or Finish.
  Status WriteHeader(const TarEntry& entry);
  Status WriteData(const void* data, size_t len);
  // Writes the end-of-archive marker. InvalidArgument if file data is missing.
  Status Finish();

 private:
  Status EndPreviousEntry();

  ByteSink* out_;
  int64_t remaining_ = 0;  // data bytes still owed for the current file
  int64_t written_ = 0;    // data bytes written for the current file
};

}  // namespace shale

#endif  // SHALE_STORAGE_TAR_WRITER_H_
