// TarReader: reads an untrusted tar stream (plain, gzip or zstd, detected by
// magic bytes) through libarchive's read side, with the caps of TarLimits
// (SECURITY.md §2). Entry names come out normalised (NormalizeLayerPath) and
// never escape; link targets of symlinks are verbatim.
#ifndef SHALE_STORAGE_TAR_READER_H_
#define SHALE_STORAGE_TAR_READER_H_

#include <memory>
#include <string>

#include "base/digest.h"
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
  // The same, and the uncompressed stream is hashed as it is read (sha256,
  // what an image config calls the layer's diff_id): libarchive decompresses
  // in a first reader, our callback hashes those bytes and hands them to the
  // tar reader. Call FinishDiffId() after Next() returned false.
  static Result<std::unique_ptr<TarReader>> OpenHashed(int fd, const TarLimits& limits);
  ~TarReader();

  // Reads the next header into *entry (path normalised; hardlink targets
  // normalised too; xattrs sorted). Returns false at the end of the archive.
  // Errors: DataLoss (truncated/corrupt), InvalidArgument (escaping name,
  // unsupported entry type), ResourceExhausted (a cap).
  Result<bool> Next(TarEntry* entry);
  // Reads the current file's data; 0 at its end.
  Result<size_t> Read(void* buf, size_t len);
  int64_t entries() const { return entries_; }
  // Only for OpenHashed readers, after the last entry: reads what follows the
  // tar end (padding, trailing blocks) through the hash and returns the
  // sha256 of the whole uncompressed stream. DataLoss when the stream is
  // corrupt, ResourceExhausted over the decompressed size cap.
  Result<Digest> FinishDiffId();

 private:
  struct Hashed;
  TarReader(struct archive* a, const TarLimits& limits);
  Status CheckUncompressed();

  struct archive* a_;
  TarLimits limits_;
  int64_t entries_ = 0;
  std::unique_ptr<Hashed> hashed_;  // OpenHashed only
};

}  // namespace shale

#endif  // SHALE_STORAGE_TAR_READER_H_
