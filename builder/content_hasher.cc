#include "builder/content_hasher.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "base/fd.h"
#include "storage/oci/json.h"

namespace shale {
namespace {

constexpr size_t kMaxMemoBytes = 256u << 20;

int64_t Ns(const struct timespec& ts) { return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec; }

}  // namespace

std::string HashMemoPath(const std::string& store_root, const std::string& context_abs_path) {
  return store_root + "/shale/hash-memo/v1/" + Digest::Sha256(context_abs_path).hex();
}

ContentHasher::ContentHasher(std::string memo_path) : memo_path_(std::move(memo_path)) { Load(); }

void ContentHasher::Load() {
  if (memo_path_.empty()) return;
  auto bytes = ReadFileCapped(memo_path_, kMaxMemoBytes);
  if (!bytes.ok()) return;
  auto j = oci::ParseJson(*bytes, "hash memo", kMaxMemoBytes);
  if (!j.ok() || !j->is_object() || j->value("v", 0) != 1 || !j->contains("entries")) return;
  try {
    for (const auto& [rel, v] : (*j)["entries"].items()) {
      if (!v.is_array() || v.size() != 6) continue;
      old_[rel] = Entry{v[0].get<uint64_t>(), v[1].get<uint64_t>(), v[2].get<uint64_t>(),
                        v[3].get<int64_t>(), v[4].get<int64_t>(), v[5].get<std::string>()};
    }
  } catch (const nlohmann::json::exception&) {
    old_.clear();  // corrupt memo: start empty
  }
}

Result<Digest> ContentHasher::HashFile(int parent_fd, const std::string& name, const struct stat& st,
                                       const std::string& memo_key) {
  if (!S_ISREG(st.st_mode)) return InvalidArgumentError(memo_key + ": not a regular file");
  UniqueFd fd(::openat(parent_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return ErrnoToStatus(errno, "open " + memo_key);
  return HashFd(fd.get(), st, memo_key);
}

Result<Digest> ContentHasher::HashFd(int fd, const struct stat& st, const std::string& memo_key) {
  Entry want{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino),
             static_cast<uint64_t>(st.st_size), Ns(st.st_mtim), Ns(st.st_ctim), ""};
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = old_.find(memo_key);
    if (it != old_.end()) {
      const Entry& e = it->second;
      if (e.dev == want.dev && e.ino == want.ino && e.size == want.size && e.mtime_ns == want.mtime_ns &&
          e.ctime_ns == want.ctime_ns && e.hex.size() == 64) {
        used_[memo_key] = e;
        return Digest::FromHex("sha256", e.hex);
      }
    }
  }
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  Digester d;
  std::string buf(1 << 20, '\0');
  while (true) {
    ASSIGN_OR_RETURN(size_t n, ReadSome(fd, buf.data(), buf.size()));
    if (n == 0) break;
    d.Update(buf.data(), n);
  }
  Digest digest = d.Finish();
  std::lock_guard<std::mutex> lock(mu_);
  ++files_read_;
  want.hex = digest.hex();
  used_[memo_key] = want;
  dirty_ = true;
  return digest;
}

Status ContentHasher::Save() {
  std::lock_guard<std::mutex> lock(mu_);
  if (memo_path_.empty() || !dirty_) return Status();
  // Entries of this run win; older ones are kept for builds that read other
  // parts of the same context.
  std::map<std::string, Entry> all = old_;
  for (const auto& [rel, e] : used_) all[rel] = e;
  nlohmann::json entries = nlohmann::json::object();
  for (const auto& [rel, e] : all)
    entries[rel] = nlohmann::json::array({e.dev, e.ino, e.size, e.mtime_ns, e.ctime_ns, e.hex});
  nlohmann::json j = {{"v", 1}, {"entries", std::move(entries)}};
  RETURN_IF_ERROR(MakeDirs(std::filesystem::path(memo_path_).parent_path().string()));
  return WriteFileAtomic(memo_path_, j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace shale
