// Leases and Prune (mark and sweep). See image_store.h for the protocol.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <deque>
#include <limits>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "base/fd.h"
#include "base/log.h"
#include "storage/file_lock.h"
#include "storage/image_store.h"
#include "storage/image_store_impl.h"
#include "storage/internal/index_file.h"
#include "storage/layer_cache.h"
#include "storage/snapshot_paths.h"
#include "storage/state_dir.h"

namespace shale {

namespace {

// Keep blobs whose mtime is within this much of the oldest lease's start:
// file timestamps come from a coarse clock.
constexpr int64_t kLeaseSlackNs = 2'000'000'000;

int64_t CoarseNowNs() {
  struct timespec ts;
  ::clock_gettime(CLOCK_REALTIME_COARSE, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

int64_t MtimeNs(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

std::string RandomName() {
  static std::atomic<uint64_t> counter{0};
  thread_local std::mt19937_64 rng(std::random_device{}());
  return std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1)) + "-" +
         std::to_string(rng() % 1000000007);
}

// Digests listed one per line; other lines ignored.
void CollectDigests(const std::string& text, std::vector<Digest>* out) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (auto d = Digest::Parse(line); d.ok()) out->push_back(*d);
  }
}

}  // namespace

struct Lease::Impl {
  UniqueFd fd;  // holds the OFD lock
  std::string path;
  ~Impl() {
    if (!path.empty()) ::unlink(path.c_str());
  }
};

Lease::Lease(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Lease::~Lease() = default;
Lease::Lease(Lease&&) noexcept = default;
Lease& Lease::operator=(Lease&&) noexcept = default;

Status Lease::Pin(const Digest& digest) {
  if (!impl_ || !impl_->fd.valid()) return FailedPreconditionError("lease released");
  if (!digest.valid()) return InvalidArgumentError("pinning an empty digest");
  return WriteAll(impl_->fd.get(), digest.ToString() + "\n");
}

Result<Lease> ImageStore::AcquireLease() {
  const StorePaths& paths = impl_->paths;
  // Made and locked under a temp name (holding gc.lock shared), then renamed
  // in: Prune never sees an unlocked live lease.
  ASSIGN_OR_RETURN(FileLock gc, FileLock::Acquire(paths.gc_lock(), FileLock::Mode::kShared));
  std::string name = RandomName();
  std::string tmp = paths.tmp_dir() + "/lease-" + name;
  UniqueFd fd(::open(tmp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644));
  if (!fd.valid()) return ErrnoToStatus(errno, "creating lease " + tmp);
  Status s = FileLock::TryLockFd(fd.get(), FileLock::Mode::kExclusive);
  if (s.ok()) s = WriteAll(fd.get(), "start " + std::to_string(CoarseNowNs()) + "\n");
  std::string path = paths.lease_dir() + "/" + name;
  if (s.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) s = ErrnoToStatus(errno, "installing lease " + path);
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s.Annotate("acquiring a lease");
  }
  auto impl = std::make_unique<Lease::Impl>();
  impl->fd = std::move(fd);
  impl->path = path;
  return Lease(std::move(impl));
}

Result<PruneReport> ImageStore::Prune() {
  const StorePaths& paths = impl_->paths;
  BlobStore& blobs = *impl_->blobs;
  PruneReport report;
  ASSIGN_OR_RETURN(FileLock gc, FileLock::Acquire(paths.gc_lock(), FileLock::Mode::kExclusive));
  ASSIGN_OR_RETURN(FileLock index_lock, FileLock::Acquire(paths.index_lock(), FileLock::Mode::kExclusive));
  ASSIGN_OR_RETURN(oci::Index index, internal::ReadIndexFile(paths));

  // Roots: named images, GC root files, live leases.
  std::deque<std::pair<Digest, std::string>> queue;  // digest, media type ("" = detect)
  for (const Descriptor& d : index.manifests) queue.emplace_back(d.digest, d.media_type);
  for (const std::string& f : ListDirNames(paths.roots_dir())) {
    auto text = ReadFileCapped(paths.roots_dir() + "/" + f, 16u << 20);
    if (!text.ok()) return text.status().Annotate("reading GC roots");
    std::vector<Digest> ds;
    CollectDigests(*text, &ds);
    for (const Digest& d : ds) queue.emplace_back(d, "");
  }
  int64_t oldest_lease = std::numeric_limits<int64_t>::max();
  for (const std::string& f : ListDirNames(paths.lease_dir())) {
    std::string path = paths.lease_dir() + "/" + f;
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
    if (!fd.valid()) continue;  // released meanwhile
    if (FileLock::TryLockFd(fd.get(), FileLock::Mode::kExclusive).ok()) {
      ::unlink(path.c_str());  // holder died
      continue;
    }
    auto text = ReadAll(fd.get(), 64u << 20);
    if (!text.ok()) return text.status().Annotate("reading lease " + path);
    int64_t start = 0;
    if (text->starts_with("start ")) start = std::strtoll(text->c_str() + 6, nullptr, 10);
    oldest_lease = std::min(oldest_lease, start);
    std::vector<Digest> ds;
    CollectDigests(*text, &ds);
    for (const Digest& d : ds) queue.emplace_back(d, "");
  }

  // Mark.
  std::set<std::string> live;  // hex
  while (!queue.empty()) {
    auto [digest, mt] = std::move(queue.front());
    queue.pop_front();
    if (digest.algorithm() != "sha256" || live.count(digest.hex())) continue;
    live.insert(digest.hex());
    if (!blobs.Has(digest)) continue;
    auto children = internal::ReferencedBy(blobs, digest, mt);
    if (!children.ok())
      return children.status().Annotate("prune stopped, nothing removed (run `shale check`)");
    for (const Descriptor& c : *children) queue.emplace_back(c.digest, c.media_type);
  }

  // Sweep blobs.
  int64_t keep_after = oldest_lease == std::numeric_limits<int64_t>::max() ? oldest_lease : oldest_lease - kLeaseSlackNs;
  std::string dir = paths.blob_dir("sha256");
  for (const std::string& name : ListDirNames(dir)) {
    if (live.count(name)) continue;
    auto digest = Digest::Parse("sha256:" + name);
    if (!digest.ok()) continue;  // not ours; check reports it
    struct stat st;
    if (::stat((dir + "/" + name).c_str(), &st) != 0) continue;
    if (MtimeNs(st) >= keep_after) continue;  // written during a live lease
    if (::unlink((dir + "/" + name).c_str()) != 0) {
      if (errno == ENOENT) continue;
      return ErrnoToStatus(errno, "removing blob " + name);
    }
    ++report.blobs_removed;
    report.bytes_freed += st.st_size;
  }
  if (report.blobs_removed > 0) RETURN_IF_ERROR(FsyncDir(dir));

  // Stale temp files: a blob temp file whose writer died is not locked.
  for (const std::string& name : ListDirNames(paths.tmp_dir())) {
    std::string path = paths.tmp_dir() + "/" + name;
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW));
    if (!fd.valid()) continue;
    if (name.starts_with("init-")) {
      struct stat st;
      if (::fstat(fd.get(), &st) != 0 || MtimeNs(st) > CoarseNowNs() - 3600ll * 1'000'000'000) continue;
    } else if (!FileLock::TryLockFd(fd.get(), FileLock::Mode::kExclusive).ok()) {
      continue;  // in use
    }
    if (::unlink(path.c_str()) == 0) ++report.temp_files_removed;
  }
  // index.json temp files: we hold the index lock, so any left is stale.
  for (const std::string& name : ListDirNames(paths.root())) {
    if (name.starts_with(".index.json.tmp-") && ::unlink((paths.root() + "/" + name).c_str()) == 0)
      ++report.temp_files_removed;
  }
  // Working trees and layer-cache unpacks whose owner died.
  StaleSweepReport stale;
  RETURN_IF_ERROR(SweepStaleStateDirs(WorkParentDir(paths.root()), "", &stale));
  RETURN_IF_ERROR(SweepStaleStateDirs(ScratchParentDir(paths.root()), "", &stale));
  RETURN_IF_ERROR(SweepLayerCacheTmp(paths.root(), &stale));
  report.stale_dirs_removed = stale.dirs_removed;
  report.stale_dir_bytes_freed = stale.bytes_freed;
  report.stale_dirs = std::move(stale.removed);
  report.stale_dir_problems = std::move(stale.problems);
  SHALE_LOG(Debug) << "prune: " << report.blobs_removed << " blobs, " << report.bytes_freed << " bytes, "
                   << report.temp_files_removed << " temp files, " << report.stale_dirs_removed
                   << " stale directories (" << report.stale_dir_bytes_freed << " bytes)";
  return report;
}

}  // namespace shale
