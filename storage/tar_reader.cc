#include "storage/tar_reader.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cstring>

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

TarReader::~TarReader() { archive_read_free(a_); }

Status TarReader::CheckUncompressed() {
  int64_t n = archive_filter_bytes(a_, 0);
  if (n > limits_.max_uncompressed_bytes) {
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
