#include "storage/tar_writer.h"

#include <cstring>

namespace shale {
namespace {

constexpr int64_t kMaxOctal11 = 077777777777LL;  // 11 octal digits
constexpr int64_t kMaxOctal7 = 07777777LL;       // 7 octal digits

void PutOctal(char* field, size_t width, uint64_t value) {
  // width-1 zero-padded digits and a NUL.
  field[width - 1] = '\0';
  for (size_t i = width - 1; i > 0; --i) {
    field[i - 1] = static_cast<char>('0' + (value & 7));
    value >>= 3;
  }
}

void PutString(char* field, size_t width, const std::string& s) {
  std::memcpy(field, s.data(), std::min(width, s.size()));
}

// "<len> key=value\n" where len counts the whole record.
void AppendPaxRecord(std::string* out, const std::string& key, const std::string& value) {
  size_t body = key.size() + value.size() + 3;  // ' ', '=', '\n'
  size_t len = body + 1;
  while (len != body + std::to_string(len).size()) len = body + std::to_string(len).size();
  out->append(std::to_string(len));
  out->push_back(' ');
  out->append(key);
  out->push_back('=');
  out->append(value);
  out->push_back('\n');
}

char TypeFlag(TarType t) {
  switch (t) {
    case TarType::kFile: return '0';
    case TarType::kHardlink: return '1';
    case TarType::kSymlink: return '2';
    case TarType::kChar: return '3';
    case TarType::kBlock: return '4';
    case TarType::kDir: return '5';
    case TarType::kFifo: return '6';
  }
  return '0';
}

void FillHeader(char* h, const std::string& name, uint32_t mode, int64_t uid, int64_t gid,
                int64_t size, int64_t mtime, char type, const std::string& link,
                uint32_t dev_major, uint32_t dev_minor) {
  std::memset(h, 0, 512);
  PutString(h, 100, name);
  PutOctal(h + 100, 8, mode & 07777);
  PutOctal(h + 108, 8, static_cast<uint64_t>(uid >= 0 && uid <= kMaxOctal7 ? uid : 0));
  PutOctal(h + 116, 8, static_cast<uint64_t>(gid >= 0 && gid <= kMaxOctal7 ? gid : 0));
  PutOctal(h + 124, 12, static_cast<uint64_t>(size >= 0 && size <= kMaxOctal11 ? size : 0));
  PutOctal(h + 136, 12, static_cast<uint64_t>(mtime >= 0 && mtime <= kMaxOctal11 ? mtime : 0));
  std::memset(h + 148, ' ', 8);
  h[156] = type;
  PutString(h + 157, 100, link);
  std::memcpy(h + 257, "ustar\0" "00", 8);
  if (type == '3' || type == '4') {
    PutOctal(h + 329, 8, dev_major & kMaxOctal7);
    PutOctal(h + 337, 8, dev_minor & kMaxOctal7);
  }
  unsigned sum = 0;
  for (int i = 0; i < 512; ++i) sum += static_cast<unsigned char>(h[i]);
  PutOctal(h + 148, 7, sum);  // 6 digits, NUL, then the space already there
  h[155] = ' ';
}

}  // namespace

Status TarWriter::EndPreviousEntry() {
  if (remaining_ != 0) {
    return InvalidArgumentError("tar: previous file is missing " + std::to_string(remaining_) +
                                " data bytes");
  }
  static const char kZeros[512] = {};
  size_t pad = static_cast<size_t>((512 - written_ % 512) % 512);
  written_ = 0;
  if (pad > 0) return out_->Write(kZeros, pad);
  return Status();
}

Status TarWriter::WriteHeader(const TarEntry& e) {
  RETURN_IF_ERROR(EndPreviousEntry());
  if (e.path.empty()) return InvalidArgumentError("tar: empty entry path");
  std::string name = e.path;
  if (e.type == TarType::kDir) name.push_back('/');
  int64_t size = e.type == TarType::kFile ? e.size : 0;
  if (size < 0) return InvalidArgumentError("tar: negative size for " + e.path);

  std::string pax;
  if (e.link_target.size() > 100) AppendPaxRecord(&pax, "linkpath", e.link_target);
  if (name.size() > 100) AppendPaxRecord(&pax, "path", name);
  if (size > kMaxOctal11) AppendPaxRecord(&pax, "size", std::to_string(size));
  if (e.uid < 0 || e.uid > kMaxOctal7) AppendPaxRecord(&pax, "uid", std::to_string(e.uid));
  if (e.gid < 0 || e.gid > kMaxOctal7) AppendPaxRecord(&pax, "gid", std::to_string(e.gid));
  if (e.mtime < 0 || e.mtime > kMaxOctal11) AppendPaxRecord(&pax, "mtime", std::to_string(e.mtime));
  for (const auto& [k, v] : e.xattrs) AppendPaxRecord(&pax, "SCHILY.xattr." + k, v);

  char h[512];
  if (!pax.empty()) {
    FillHeader(h, "././@PaxHeader", 0644, 0, 0, static_cast<int64_t>(pax.size()), 0, 'x', "", 0, 0);
    RETURN_IF_ERROR(out_->Write(h, 512));
    RETURN_IF_ERROR(out_->Write(pax));
    written_ = static_cast<int64_t>(pax.size());
    RETURN_IF_ERROR(EndPreviousEntry());
  }
  FillHeader(h, name, e.mode, e.uid, e.gid, size, e.mtime, TypeFlag(e.type), e.link_target,
             e.dev_major, e.dev_minor);
  RETURN_IF_ERROR(out_->Write(h, 512));
  remaining_ = size;
  written_ = 0;
  return Status();
}

Status TarWriter::WriteData(const void* data, size_t len) {
  if (static_cast<int64_t>(len) > remaining_) {
    return InvalidArgumentError("tar: more data than the entry's declared size");
  }
  remaining_ -= static_cast<int64_t>(len);
  written_ += static_cast<int64_t>(len);
  return out_->Write(data, len);
}

Status TarWriter::Finish() {
  RETURN_IF_ERROR(EndPreviousEntry());
  static const char kZeros[1024] = {};
  return out_->Write(kZeros, sizeof kZeros);
}

}  // namespace shale
