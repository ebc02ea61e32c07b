// TarReader: reads an untrusted tar stream (plain, gzip or zstd, detected by
// magic bytes) through libarchive's read side, with the caps of TarLimits
// (SECURITY.md §2). Entry names come out normalised (NormalizeLayerPath) and
// never escape; link targets of symlinks are verbatim.
#ifndef SHALE_STORAGE_TAR_READER_H_
#define SHALE_STORAGE_TAR_READER_H_

#include <memory>
#include <string>

#include "base/status.h"
#include "storage/layer_info.h"
#include "storage/tar_writer.h"

struct archive;

namespace shale {

// Makes an entry name root-relative: strips leading '/', drops empty and "."
// components and a trailing '/'. Returns "" for the root itself. A ".."
// component is InvalidArgument ("... escapes the root").
Result<std::string> NormalizeLayerPath(std::string_view name);

class TarReader {
 public:
  // Reads from fd (not owned; must stay open). Unsupported formats are
  // InvalidArgument at the first Next().
  static Result<std::unique_ptr<TarReader>> Open(int fd, const TarLimits& limits);
  ~TarReader();

  // Reads the next header into *entry (path normalised; hardlink targets
  // normalised too; xattrs sorted). Returns false at the end of the archive.
  // Errors: DataLoss (truncated/corrupt), InvalidArgument (escaping name,
  // unsupported entry type), ResourceExhausted (a cap).
  Result<bool> Next(TarEntry* entry);
  // Reads the current file's data; 0 at its end.
  Result<size_t> Read(void* buf, size_t len);
  int64_t entries() const { return entries_; }

 private:
  TarReader(struct archive* a, const TarLimits& limits) : a_(a), limits_(limits) {}
  Status CheckUncompressed();

  struct archive* a_;
  TarLimits limits_;
  int64_t entries_ = 0;
};

}  // namespace shale

#endif  // SHALE_STORAGE_TAR_READER_H_
