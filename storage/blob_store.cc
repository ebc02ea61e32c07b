#include "storage/blob_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <random>
#include <utility>
#include <vector>

#include "storage/file_lock.h"
#include "storage/oci/layout.h"
#include "storage/store_paths.h"

namespace shale {

namespace {

// Writes are gathered into this many bytes before a write(2).
constexpr size_t kWriteBuffer = 1u << 20;
// Large blobs are pushed to disk in windows of this size while they stream,
// so the final fsync is short and dirty pages do not pile up.
constexpr uint64_t kWritebackWindow = 32u << 20;

// Unique among processes (pid) and within one (counter), unpredictable
// enough (random) — also after fork(), which copies the generator.
std::string RandomSuffix() {
  static std::atomic<uint64_t> counter{0};
  thread_local std::mt19937_64 rng(std::random_device{}());
  return std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1)) + "-" + std::to_string(rng() % 1000000007);
}

Status CheckStorable(const Digest& digest) {
  if (!digest.valid()) return InvalidArgumentError("empty digest");
  if (digest.algorithm() != "sha256")
    return InvalidArgumentError("unsupported digest algorithm \"" + digest.algorithm() + "\" (the store holds sha256 only)");
  return Status();
}

// Creates `path` with `data` unless it exists: written to a temp file first
// and hard-linked into place, so a concurrent creator never sees it partial
// and never overwrites a file someone else already filled.
Status CreateIfAbsent(const std::string& path, const std::string& tmp_dir, std::string_view data) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) return Status();
  std::string tmp = tmp_dir + "/init-" + RandomSuffix();
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd.valid()) return ErrnoToStatus(errno, "create " + tmp);
  Status s = WriteAll(fd.get(), data);
  if (s.ok() && ::fsync(fd.get()) != 0) s = ErrnoToStatus(errno, "fsync " + tmp);
  fd.Reset();
  if (s.ok() && ::link(tmp.c_str(), path.c_str()) != 0 && errno != EEXIST) s = ErrnoToStatus(errno, "link " + path);
  ::unlink(tmp.c_str());
  return s;
}

}  // namespace

struct BlobStore::Impl {
  std::string root;
  std::string sha256_dir;
  std::string tmp_dir;
  std::string gc_lock;
};

struct BlobWriter::Impl {
  const BlobStore::Impl* store = nullptr;
  UniqueFd fd;
  std::string tmp_path;
  Digester digester;
  std::vector<char> buf;
  size_t buffered = 0;
  uint64_t flushed = 0;        // bytes handed to write(2)
  uint64_t writeback_from = 0; // start of the window not yet pushed to disk
  Status error;
  bool done = false;

  Status WriteFd(const char* p, size_t n) {
    RETURN_IF_ERROR(WriteAll(fd.get(), p, n));
    flushed += n;
    if (flushed - writeback_from >= kWritebackWindow) {
      // Start writeback of the window just filled; wait for the one before it
      // and drop it from the page cache (it will not be read again soon).
      uint64_t len = flushed - writeback_from;
      ::sync_file_range(fd.get(), static_cast<off64_t>(writeback_from), static_cast<off64_t>(len),
                        SYNC_FILE_RANGE_WRITE);
      if (writeback_from >= kWritebackWindow) {
        off64_t prev = static_cast<off64_t>(writeback_from - kWritebackWindow);
        ::sync_file_range(fd.get(), prev, static_cast<off64_t>(kWritebackWindow),
                          SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
        ::posix_fadvise(fd.get(), prev, static_cast<off_t>(kWritebackWindow), POSIX_FADV_DONTNEED);
      }
      writeback_from = flushed;
    }
    return Status();
  }

  Status Flush() {
    if (buffered == 0) return Status();
    Status s = WriteFd(buf.data(), buffered);
    buffered = 0;
    return s;
  }

  void Discard() {
    if (!tmp_path.empty()) ::unlink(tmp_path.c_str());
    tmp_path.clear();
    fd.Reset();
    done = true;
  }
};

BlobWriter::BlobWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

BlobWriter::~BlobWriter() { Abort(); }

uint64_t BlobWriter::bytes_written() const { return impl_->digester.bytes(); }

Status BlobWriter::Write(const void* data, size_t len) {
  Impl& w = *impl_;
  if (w.done) return FailedPreconditionError("blob writer already committed or aborted");
  if (!w.error.ok()) return w.error;
  const char* p = static_cast<const char*>(data);
  w.digester.Update(p, len);
  Status s;
  if (w.buffered == 0 && len >= kWriteBuffer) {
    s = w.WriteFd(p, len);
  } else {
    while (len > 0 && s.ok()) {
      size_t n = std::min(len, kWriteBuffer - w.buffered);
      std::copy(p, p + n, w.buf.data() + w.buffered);
      w.buffered += n;
      p += n;
      len -= n;
      if (w.buffered == kWriteBuffer) s = w.Flush();
    }
  }
  if (!s.ok()) w.error = s.Annotate("writing blob");
  return w.error;
}

Result<Descriptor> BlobWriter::Commit(const Digest& expected, int64_t expected_size) {
  Impl& w = *impl_;
  if (w.done) return FailedPreconditionError("blob writer already committed or aborted");
  if (!w.error.ok()) {
    Status e = w.error;
    w.Discard();
    return e;
  }
  auto fail = [&w](Status s) {
    w.Discard();
    return s;
  };
  Status s = w.Flush();
  if (!s.ok()) return fail(s.Annotate("writing blob"));
  uint64_t size = w.digester.bytes();
  Digest digest = w.digester.Finish();
  if (expected_size >= 0 && static_cast<uint64_t>(expected_size) != size)
    return fail(DataLossError("blob size mismatch: expected " + std::to_string(expected_size) + " bytes, got " +
                              std::to_string(size) + " (digest " + digest.ToString() + ")"));
  if (expected.valid() && expected != digest)
    return fail(DataLossError("blob digest mismatch: expected " + expected.ToString() + ", got " + digest.ToString()));
  if (::fsync(w.fd.get()) != 0) return fail(ErrnoToStatus(errno, "fsync " + w.tmp_path));
  // w.fd (and with it the temp file's lock) stays open until the rename, so
  // Prune never takes the temp file for a dead writer's.

  std::string target = w.store->sha256_dir + "/" + digest.hex();
  {
    // Shared against Prune's exclusive lock: a blob that Prune has decided to
    // delete cannot be "re-created" underneath it and then vanish.
    ASSIGN_OR_RETURN(FileLock gc, FileLock::Acquire(w.store->gc_lock, FileLock::Mode::kShared));
    // Renaming over an existing copy is harmless (same name, same bytes) and
    // heals a damaged one; the fresh mtime tells a concurrent Prune it is new.
    if (::rename(w.tmp_path.c_str(), target.c_str()) != 0)
      return fail(ErrnoToStatus(errno, "rename blob into " + target));
    w.tmp_path.clear();
    w.done = true;
    w.fd.Reset();
    RETURN_IF_ERROR(FsyncDir(w.store->sha256_dir));
  }
  w.done = true;
  Descriptor d;
  d.digest = digest;
  d.size = static_cast<int64_t>(size);
  return d;
}

void BlobWriter::Abort() {
  if (impl_ && !impl_->done) impl_->Discard();
}

BlobStore::BlobStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
BlobStore::~BlobStore() = default;

Result<std::unique_ptr<BlobStore>> BlobStore::Open(const std::string& root) {
  if (root.empty()) return InvalidArgumentError("empty store root");
  auto impl = std::make_unique<Impl>();
  impl->root = root;
  while (impl->root.size() > 1 && impl->root.back() == '/') impl->root.pop_back();
  StorePaths paths(impl->root);
  impl->sha256_dir = paths.blob_dir("sha256");
  impl->tmp_dir = paths.tmp_dir();
  impl->gc_lock = paths.gc_lock();
  for (const std::string& dir : {impl->root, impl->sha256_dir, impl->tmp_dir, paths.private_dir()}) {
    Status s = MakeDirs(dir);
    if (!s.ok()) return s.Annotate("opening store " + impl->root);
  }
  auto layout = ReadFileCapped(paths.layout_file(), 4096);
  if (layout.ok()) {
    auto version = oci::ParseLayoutHeader(*layout);
    if (version.status().code() == StatusCode::kFailedPrecondition) return version.status().Annotate(impl->root);
    if (!version.ok()) return DataLossError("corrupt " + paths.layout_file() + ": " + version.status().message());
  } else if (layout.status().code() == StatusCode::kNotFound) {
    RETURN_IF_ERROR(CreateIfAbsent(paths.layout_file(), impl->tmp_dir, oci::SerializeLayoutHeader()));
  } else {
    return layout.status();
  }
  RETURN_IF_ERROR(CreateIfAbsent(paths.index_file(), impl->tmp_dir, "{\"manifests\":[],\"schemaVersion\":2}"));
  RETURN_IF_ERROR(FsyncDir(impl->root));
  return std::unique_ptr<BlobStore>(new BlobStore(std::move(impl)));
}

const std::string& BlobStore::root() const { return impl_->root; }

std::string BlobStore::PathOf(const Digest& digest) const {
  return impl_->root + "/blobs/" + digest.algorithm() + "/" + digest.hex();
}

bool BlobStore::Has(const Digest& digest) const {
  if (!CheckStorable(digest).ok()) return false;
  struct stat st;
  return ::stat(PathOf(digest).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Result<int64_t> BlobStore::Size(const Digest& digest) const {
  RETURN_IF_ERROR(CheckStorable(digest));
  struct stat st;
  if (::stat(PathOf(digest).c_str(), &st) != 0) {
    if (errno == ENOENT) return NotFoundError("blob " + digest.ToString() + " not found");
    return ErrnoToStatus(errno, "stat blob " + digest.ToString());
  }
  return static_cast<int64_t>(st.st_size);
}

Result<UniqueFd> BlobStore::OpenBlob(const Digest& digest) const {
  RETURN_IF_ERROR(CheckStorable(digest));
  UniqueFd fd(::open(PathOf(digest).c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return NotFoundError("blob " + digest.ToString() + " not found");
    return ErrnoToStatus(errno, "open blob " + digest.ToString());
  }
  return fd;
}

Result<std::string> BlobStore::ReadBlob(const Digest& digest, size_t max_bytes) const {
  ASSIGN_OR_RETURN(UniqueFd fd, OpenBlob(digest));
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return ErrnoToStatus(errno, "stat blob " + digest.ToString());
  if (static_cast<uint64_t>(st.st_size) > max_bytes)
    return ResourceExhaustedError("blob " + digest.ToString() + " is " + std::to_string(st.st_size) +
                                  " bytes, over the cap of " + std::to_string(max_bytes) + " bytes");
  auto data = ReadAll(fd.get(), max_bytes);
  if (!data.ok()) return data.status().Annotate("reading blob " + digest.ToString());
  Digest got = Digest::Sha256(*data);
  if (got != digest)
    return DataLossError("blob " + digest.ToString() + " is corrupt: its content hashes to " + got.ToString());
  return data;
}

Status BlobStore::VerifyBlob(const Digest& digest) const {
  ASSIGN_OR_RETURN(UniqueFd fd, OpenBlob(digest));
  ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
  std::vector<char> buf(kWriteBuffer);
  Digester d;
  while (true) {
    auto n = ReadSome(fd.get(), buf.data(), buf.size());
    if (!n.ok()) return n.status().Annotate("reading blob " + digest.ToString());
    if (*n == 0) break;
    d.Update(buf.data(), *n);
  }
  Digest got = d.Finish();
  if (got != digest)
    return DataLossError("blob " + digest.ToString() + " is corrupt: its content hashes to " + got.ToString());
  return Status();
}

Result<std::unique_ptr<BlobWriter>> BlobStore::NewWriter() {
  // Created and locked under gc.lock (shared), so Prune never sees the temp
  // file in the instant between its creation and its lock.
  ASSIGN_OR_RETURN(FileLock gc, FileLock::Acquire(impl_->gc_lock, FileLock::Mode::kShared));
  auto w = std::make_unique<BlobWriter::Impl>();
  w->store = impl_.get();
  w->tmp_path = impl_->tmp_dir + "/blob-" + RandomSuffix();
  w->fd = UniqueFd(::open(w->tmp_path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!w->fd.valid()) {
    Status s = ErrnoToStatus(errno, "creating temp blob in " + impl_->tmp_dir);
    w->tmp_path.clear();
    return s;
  }
  // Held while we write, so Prune can tell a live temp file from a stale one.
  Status s = FileLock::TryLockFd(w->fd.get(), FileLock::Mode::kExclusive);
  if (!s.ok()) {
    w->Discard();
    return s.Annotate("locking temp blob");
  }
  w->buf.resize(kWriteBuffer);
  return std::make_unique<BlobWriter>(std::move(w));
}

Result<Descriptor> BlobStore::PutBlob(std::string_view data, std::string media_type) {
  Digest digest = Digest::Sha256(data);
  ASSIGN_OR_RETURN(auto writer, NewWriter());
  RETURN_IF_ERROR(writer->Write(data));
  ASSIGN_OR_RETURN(Descriptor d, writer->Commit(digest, static_cast<int64_t>(data.size())));
  d.media_type = std::move(media_type);
  return d;
}

Status BlobStore::RemoveBlob(const Digest& digest) {
  RETURN_IF_ERROR(CheckStorable(digest));
  if (::unlink(PathOf(digest).c_str()) != 0) {
    if (errno == ENOENT) return Status();
    return ErrnoToStatus(errno, "remove blob " + digest.ToString());
  }
  return FsyncDir(impl_->sha256_dir);
}

}  // namespace shale
