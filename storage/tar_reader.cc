#include "storage/tar_reader.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "base/log.h"

namespace shale {

Result<std::string> NormalizeLayerPath(std::string_view name) {
  std::string out;
  size_t i = 0;
  while (i <= name.size()) {
    size_t j = name.find('/', i);
    if (j == std::string_view::npos) j = name.size();
    std::string_view comp = name.substr(i, j - i);
    if (comp == "..") {
      return InvalidArgumentError("entry name \"" + std::string(name.substr(0, 256)) +
                                  "\" escapes the root (\"..\" component)");
    }
    if (!comp.empty() && comp != ".") {
      if (!out.empty()) out.push_back('/');
      out.append(comp);
    }
    i = j + 1;
  }
  if (out.find('\0') != std::string::npos) return InvalidArgumentError("entry name contains NUL");
  return out;
}

Result<std::unique_ptr<TarReader>> TarReader::Open(int fd, const TarLimits& limits) {
  struct archive* a = archive_read_new();
  if (a == nullptr) return ResourceExhaustedError("libarchive: out of memory");
  // Only tar, and only the codecs OCI layers use. zstd must be built in: an
  // external helper program would be a WARN here, which we refuse.
  if (archive_read_support_format_tar(a) != ARCHIVE_OK ||
      archive_read_support_filter_gzip(a) != ARCHIVE_OK ||
      archive_read_support_filter_zstd(a) != ARCHIVE_OK) {
    std::string err = archive_error_string(a) ? archive_error_string(a) : "unknown";
    archive_read_free(a);
    return InternalError("libarchive: cannot enable tar/gzip/zstd reading: " + err);
  }
  if (archive_read_open_fd(a, fd, 256 * 1024) != ARCHIVE_OK) {
    std::string err = archive_error_string(a) ? archive_error_string(a) : "unknown";
    archive_read_free(a);
    if (err.find("Unrecognized archive format") != std::string::npos || err.find("empty") != std::string::npos)
      return InvalidArgumentError("not a tar stream (plain, gzip or zstd): " + err);
    return DataLossError("reading tar stream: " + err);
  }
  return std::unique_ptr<TarReader>(new TarReader(a, limits));
}

// The decompressing first stage of an OpenHashed reader: libarchive's "raw"
// format yields the decompressed bytes, which pass through the digester on
// their way to the tar stage.
struct TarReader::Hashed {
  struct archive* raw = nullptr;
  Digester digester;
  std::vector<char> buf = std::vector<char>(256 * 1024);
  int64_t total = 0;
  int64_t cap = 0;
  bool eof = false;
  bool over_cap = false;
  std::string error;

  ~Hashed() {
    if (raw != nullptr) archive_read_free(raw);
  }

  // Next chunk of the decompressed stream (0 at its end), hashed.
  la_ssize_t Pull() {
    if (eof) return 0;
    la_ssize_t n = archive_read_data(raw, buf.data(), buf.size());
    if (n < 0) {
      error = archive_error_string(raw) ? archive_error_string(raw) : "corrupt compressed stream";
      return -1;
    }
    if (n == 0) {
      eof = true;
      return 0;
    }
    total += n;
    if (total > cap) {
      over_cap = true;
      error = "layer exceeds the decompressed size cap of " + std::to_string(cap) + " bytes";
      return -1;
    }
    digester.Update(buf.data(), static_cast<size_t>(n));
    return n;
  }

  static la_ssize_t ReadCallback(struct archive* a, void* self_ptr, const void** out) {
    auto* self = static_cast<Hashed*>(self_ptr);
    la_ssize_t n = self->Pull();
    if (n < 0) archive_set_error(a, EIO, "%s", self->error.c_str());
    *out = self->buf.data();
    return n;
  }
};

Result<std::unique_ptr<TarReader>> TarReader::OpenHashed(int fd, const TarLimits& limits) {
  auto hashed = std::make_unique<Hashed>();
  hashed->cap = limits.max_uncompressed_bytes;
  hashed->raw = archive_read_new();
  if (hashed->raw == nullptr) return ResourceExhaustedError("libarchive: out of memory");
  if (archive_read_support_format_raw(hashed->raw) != ARCHIVE_OK ||
      archive_read_support_format_empty(hashed->raw) != ARCHIVE_OK ||
      archive_read_support_filter_gzip(hashed->raw) != ARCHIVE_OK ||
      archive_read_support_filter_zstd(hashed->raw) != ARCHIVE_OK) {
    return InternalError(std::string("libarchive: cannot enable raw/gzip/zstd reading: ") +
                         (archive_error_string(hashed->raw) ? archive_error_string(hashed->raw) : "unknown"));
  }
  if (archive_read_open_fd(hashed->raw, fd, 256 * 1024) != ARCHIVE_OK) {
    return DataLossError(std::string("reading layer stream: ") +
                         (archive_error_string(hashed->raw) ? archive_error_string(hashed->raw) : "unknown"));
  }
  struct archive_entry* entry = nullptr;
  int r = archive_read_next_header(hashed->raw, &entry);
  if (r == ARCHIVE_EOF) {
    hashed->eof = true;
  } else if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
    return DataLossError(std::string("reading layer stream: ") +
                         (archive_error_string(hashed->raw) ? archive_error_string(hashed->raw) : "unknown"));
  }
  struct archive* a = archive_read_new();
  if (a == nullptr) return ResourceExhaustedError("libarchive: out of memory");
  if (archive_read_support_format_tar(a) != ARCHIVE_OK) {
    archive_read_free(a);
    return InternalError("libarchive: cannot enable tar reading");
  }
  std::unique_ptr<TarReader> reader(new TarReader(a, limits));
  reader->hashed_ = std::move(hashed);
  if (archive_read_open(a, reader->hashed_.get(), nullptr, &Hashed::ReadCallback, nullptr) != ARCHIVE_OK) {
    RETURN_IF_ERROR(reader->CheckUncompressed());
    std::string err = archive_error_string(a) ? archive_error_string(a) : "unknown";
    return DataLossError("reading tar stream: " + err);
  }
  return reader;
}

Result<Digest> TarReader::FinishDiffId() {
  if (!hashed_) return FailedPreconditionError("tar reader was not opened with OpenHashed");
  // libarchive stops at the end-of-archive blocks, but the diff_id covers
  // the whole uncompressed stream. Whatever the tar stage buffered was hashed
  // when it was pulled; hash the rest.
  while (true) {
    la_ssize_t n = hashed_->Pull();
    if (n < 0) {
      RETURN_IF_ERROR(CheckUncompressed());
      return DataLossError("reading the end of the layer stream: " + hashed_->error);
    }
    if (n == 0) break;
  }
  return hashed_->digester.Finish();
}

TarReader::TarReader(struct archive* a, const TarLimits& limits) : a_(a), limits_(limits) {}

TarReader::~TarReader() { archive_read_free(a_); }

Status TarReader::CheckUncompressed() {
  int64_t n = archive_filter_bytes(a_, 0);
  if (n > limits_.max_uncompressed_bytes || (hashed_ && hashed_->over_cap)) {
    return ResourceExhaustedError("layer exceeds the decompressed size cap of " +
                                  std::to_string(limits_.max_uncompressed_bytes) + " bytes");
  }
  return Status();
}

Result<bool> TarReader::Next(TarEntry* out) {
  struct archive_entry* e = nullptr;
  int r = archive_read_next_header(a_, &e);
  RETURN_IF_ERROR(CheckUncompressed());
  if (r == ARCHIVE_EOF) return false;
  if (r == ARCHIVE_WARN) {
    SHALE_LOG(Debug) << "tar: " << (archive_error_string(a_) ? archive_error_string(a_) : "warning");
  } else if (r != ARCHIVE_OK) {
    std::string err = archive_error_string(a_) ? archive_error_string(a_) : "corrupt archive";
    if (err.find("too large") != std::string::npos || err.find("too long") != std::string::npos) {
      return ResourceExhaustedError("tar entry " + std::to_string(entries_ + 1) + ": a header exceeds the header cap of " +
                                    std::to_string(limits_.max_header_bytes) + " bytes (" + err + ")");
    }
    if (entries_ == 0 && err.find("Unrecognized archive format") != std::string::npos)
      return InvalidArgumentError("not a tar stream (plain, gzip or zstd): " + err);
    return DataLossError("reading tar entry " + std::to_string(entries_ + 1) + ": " + err);
  }
  if (++entries_ > limits_.max_entries) {
    return ResourceExhaustedError("layer has more than the cap of " + std::to_string(limits_.max_entries) +
                                  " entries");
  }
  auto cap = [&](const char* s, const char* what) -> Status {
    if (s != nullptr && static_cast<int64_t>(strlen(s)) > limits_.max_header_bytes) {
      return ResourceExhaustedError(std::string("tar ") + what + " exceeds the header cap of " +
                                    std::to_string(limits_.max_header_bytes) + " bytes");
    }
    return Status();
  };
  const char* name = archive_entry_pathname(e);
  if (name == nullptr) name = archive_entry_pathname_utf8(e);
  if (name == nullptr) return InvalidArgumentError("tar entry without a usable name");
  RETURN_IF_ERROR(cap(name, "path"));
  *out = TarEntry();
  ASSIGN_OR_RETURN(out->path, NormalizeLayerPath(name));

  const char* hardlink = archive_entry_hardlink(e);
  const char* symlink = archive_entry_symlink(e);
  RETURN_IF_ERROR(cap(hardlink, "link target"));
  RETURN_IF_ERROR(cap(symlink, "link target"));
  if (hardlink != nullptr) {
    out->type = TarType::kHardlink;
    ASSIGN_OR_RETURN(out->link_target, NormalizeLayerPath(hardlink));
    if (out->link_target.empty()) return InvalidArgumentError("hard link \"" + out->path + "\" to the root");
  } else {
    switch (archive_entry_filetype(e)) {
      case AE_IFREG: out->type = TarType::kFile; break;
      case AE_IFDIR: out->type = TarType::kDir; break;
      case AE_IFLNK:
        out->type = TarType::kSymlink;
        out->link_target = symlink ? symlink : "";
        break;
      case AE_IFCHR: out->type = TarType::kChar; break;
      case AE_IFBLK: out->type = TarType::kBlock; break;
      case AE_IFIFO: out->type = TarType::kFifo; break;
      default:
        return InvalidArgumentError("tar entry \"" + out->path + "\" has an unsupported type");
    }
  }
  out->mode = static_cast<uint32_t>(archive_entry_perm(e)) & 07777;
  out->uid = archive_entry_uid(e);
  out->gid = archive_entry_gid(e);
  out->mtime = archive_entry_mtime(e);
  out->size = out->type == TarType::kFile ? archive_entry_size(e) : 0;
  if (out->size < 0) return DataLossError("tar entry \"" + out->path + "\" has a negative size");
  if (out->type == TarType::kChar || out->type == TarType::kBlock) {
    out->dev_major = static_cast<uint32_t>(archive_entry_rdevmajor(e));
    out->dev_minor = static_cast<uint32_t>(archive_entry_rdevminor(e));
  }
  archive_entry_xattr_reset(e);
  const char* xname;
  const void* xvalue;
  size_t xsize;
  int64_t xtotal = 0;
  while (archive_entry_xattr_next(e, &xname, &xvalue, &xsize) == ARCHIVE_OK) {
    xtotal += static_cast<int64_t>(xsize + strlen(xname));
    if (xtotal > limits_.max_header_bytes) {
      return ResourceExhaustedError("tar xattrs of \"" + out->path + "\" exceed the header cap of " +
                                    std::to_string(limits_.max_header_bytes) + " bytes");
    }
    out->xattrs.emplace_back(xname, std::string(static_cast<const char*>(xvalue), xsize));
  }
  std::sort(out->xattrs.begin(), out->xattrs.end());
  return true;
}

Result<size_t> TarReader::Read(void* buf, size_t len) {
  la_ssize_t n = archive_read_data(a_, buf, len);
  if (n < 0) {
    return DataLossError(std::string("reading tar data: ") +
                         (archive_error_string(a_) ? archive_error_string(a_) : "corrupt archive"));
  }
  RETURN_IF_ERROR(CheckUncompressed());
  return static_cast<size_t>(n);
}

}  // namespace shale
