#include "builder/copy_step.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "base/fd.h"
#include "builder/tree_walk.h"
#include "storage/layer_apply.h"
#include "base/safe_path.h"

namespace shale {
namespace {

std::string JoinRel(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return a + "/" + b;
}

std::string Basename(const std::string& rel) {
  size_t slash = rel.rfind('/');
  return slash == std::string::npos ? rel : rel.substr(slash + 1);
}

bool HasGlob(std::string_view s) { return s.find_first_of("*?[") != std::string_view::npos; }

std::vector<std::string> SplitComponents(const std::string& clean) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < clean.size()) {
    size_t j = clean.find('/', i);
    if (j == std::string::npos) j = clean.size();
    if (j > i) out.push_back(clean.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// COPY --parents "./x/./y": the cleaned path before the first "." component
// that is not the leading one ("x"); "" without such a pivot.
std::string ParentsPivotBase(const std::string& source) {
  std::vector<std::string> comps = SplitComponents(source);
  for (size_t i = 1; i < comps.size(); ++i) {
    if (comps[i] != ".") continue;
    std::string before;
    for (size_t j = 0; j < i; ++j) before += comps[j] + "/";
    std::string clean = frontend::CleanPath(before);
    while (!clean.empty() && clean[0] == '/') clean.erase(0, 1);
    return clean == "." ? "" : clean;
  }
  return "";
}

// `rel` without the --parents base ("x/y/a.txt" - "x" = "y/a.txt").
std::string StripParentsBase(const std::string& rel, const std::string& base) {
  if (base.empty()) return rel;
  if (rel == base) return "";
  if (rel.size() > base.size() && rel.compare(0, base.size(), base) == 0 && rel[base.size()] == '/')
    return rel.substr(base.size() + 1);
  return rel;
}

std::string Where(const CopySourceRoot& root) { return root.is_context ? "the build context" : "the source image"; }

bool Ignored(const CopySourceRoot& root, const std::string& rel) {
  return root.is_context && root.ignore != nullptr && !rel.empty() && root.ignore->Matches(rel);
}

// --exclude for a top-level source: its path or its name.
bool ExcludedItem(const CopySourceRoot& root, const std::string& rel) {
  return root.exclude != nullptr && !rel.empty() &&
         (root.exclude->Matches(rel) || root.exclude->Matches(Basename(rel)));
}

// --exclude inside a directory source: `inner` is relative to that directory.
bool ExcludedInner(const CopySourceRoot& root, const std::string& inner) {
  return root.exclude != nullptr && !inner.empty() && root.exclude->Matches(inner);
}

bool CanSkipExcludedDir(const CopySourceRoot& root, const std::string& inner) {
  return root.exclude != nullptr && root.exclude->CanSkipDir(inner);
}

Result<std::vector<std::string>> ListNames(int root_fd, const std::string& dir) {
  ASSIGN_OR_RETURN(UniqueFd fd, OpenInRoot(root_fd, dir.empty() ? "." : dir, O_RDONLY | O_DIRECTORY));
  std::vector<std::string> names;
  RETURN_IF_ERROR(WalkTree(fd.get(), [&](const WalkEntry& e) -> Result<bool> {
    if (!e.rel.empty()) names.push_back(e.rel);
    return e.rel.empty();  // only the first level
  }));
  return names;
}

// Expands one source pattern into context-relative paths.
Result<std::vector<std::string>> Expand(const CopySourceRoot& root, const std::string& clean) {
  std::vector<std::string> candidates = {""};
  for (const auto& comp : SplitComponents(clean)) {
    std::vector<std::string> next;
    if (!HasGlob(comp)) {
      for (auto& c : candidates) next.push_back(JoinRel(c, comp));
    } else {
      for (const auto& c : candidates) {
        auto names = ListNames(root.root_fd, c);
        if (!names.ok()) continue;  // not a directory: no match below it
        for (const auto& n : *names) {
          if (fnmatch(comp.c_str(), n.c_str(), 0) == 0) next.push_back(JoinRel(c, n));
        }
      }
    }
    candidates = std::move(next);
    if (candidates.empty()) break;
  }
  return candidates;
}

Status SetMeta(int fd, const struct stat& src, const CopyTarget& t, bool is_dir) {
  if (::fchown(fd, t.uid, t.gid) != 0 && errno != EPERM) return ErrnoToStatus(errno, "chown");
  mode_t mode = t.chmod ? static_cast<mode_t>(*t.chmod) : (src.st_mode & 07777);
  if (::fchmod(fd, mode) != 0) return ErrnoToStatus(errno, "chmod");
  (void)is_dir;
  struct timespec times[2] = {src.st_mtim, src.st_mtim};
  if (::futimens(fd, times) != 0) return ErrnoToStatus(errno, "set times");
  return Status();
}

Status CopyData(int from, int to, off_t size) {
  off_t done = 0;
  while (done < size) {
    ssize_t n = ::copy_file_range(from, nullptr, to, nullptr, static_cast<size_t>(size - done), 0);
    if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
      n = ::sendfile(to, from, nullptr, static_cast<size_t>(size - done));
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoToStatus(errno, "copy");
    }
    if (n == 0) break;  // file shrank while copying
    done += n;
  }
  return Status();
}

// Removes whatever is at dst_dir/name unless it is a directory and `keep_dir`.
Status ClearDest(int dst_dir, const std::string& name, bool keep_dir) {
  struct stat st;
  if (::fstatat(dst_dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return Status();
    return ErrnoToStatus(errno, "stat " + name);
  }
  if (keep_dir && S_ISDIR(st.st_mode)) return Status();
  return RemoveAt(dst_dir, name);
}

class Copier {
 public:
  Copier(const CopySourceRoot& root, const CopyTarget& target) : root_(root), t_(target) {}

  // Copies the entry `name` in src_dir (whose context path is rel) to dst_dir/dst_name.
  Status CopyEntry(int src_dir, const std::string& name, const struct stat& st, const std::string& rel,
                   int dst_dir, const std::string& dst_name) {
    if (S_ISDIR(st.st_mode)) {
      UniqueFd src(::openat(src_dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!src.valid()) return ErrnoToStatus(errno, "open " + rel);
      ASSIGN_OR_RETURN(UniqueFd dst, MakeDir(dst_dir, dst_name, st));
      RETURN_IF_ERROR(CopyContents(src.get(), rel, dst.get()));
      return SetMeta(dst.get(), st, t_, true);
    }
    RETURN_IF_ERROR(ClearDest(dst_dir, dst_name, false));
    if (S_ISREG(st.st_mode)) {
      UniqueFd src(::openat(src_dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
      if (!src.valid()) return ErrnoToStatus(errno, "open " + rel);
      return WriteFile(src.get(), st, dst_dir, dst_name);
    }
    if (S_ISLNK(st.st_mode)) {
      std::string target(static_cast<size_t>(st.st_size) + 256, '\0');
      ssize_t n = ::readlinkat(src_dir, name.c_str(), target.data(), target.size());
      if (n < 0) return ErrnoToStatus(errno, "readlink " + rel);
      target.resize(static_cast<size_t>(n));
      if (::symlinkat(target.c_str(), dst_dir, dst_name.c_str()) != 0)
        return ErrnoToStatus(errno, "symlink " + dst_name);
      if (::fchownat(dst_dir, dst_name.c_str(), t_.uid, t_.gid, AT_SYMLINK_NOFOLLOW) != 0 && errno != EPERM)
        return ErrnoToStatus(errno, "chown " + dst_name);
      struct timespec times[2] = {st.st_mtim, st.st_mtim};
      ::utimensat(dst_dir, dst_name.c_str(), times, AT_SYMLINK_NOFOLLOW);
      return Status();
    }
    // Sockets, fifos and devices in a build context are not copied (as BuildKit).
    return Status();
  }

  // The directory source being copied (context-relative), for --exclude.
  void set_item(const std::string& rel) { item_ = rel; }

  Status CopyContents(int src_dir, const std::string& rel, int dst_dir) {
    if (root_.is_context && root_.ignore && !rel.empty() && root_.ignore->CanSkipDir(rel)) return Status();
    return WalkTree(src_dir, [&](const WalkEntry& e) -> Result<bool> {
      if (e.rel.empty()) return true;
      std::string full = JoinRel(rel, e.rel);
      if (Ignored(root_, full)) {
        if (!S_ISDIR(e.st.st_mode) || root_.ignore->CanSkipDir(full)) return false;
        // An excluded directory with re-included entries below: create it
        // only if something inside survives (done lazily by the child).
      }
      std::string inner = Inner(full);
      if (ExcludedInner(root_, inner)) {
        if (!S_ISDIR(e.st.st_mode) || CanSkipExcludedDir(root_, inner)) return false;
      }
      if (e.rel.find('/') != std::string::npos) return false;  // handled by recursion
      RETURN_IF_ERROR(CopyEntry(src_dir, e.name, e.st, full, dst_dir, e.name));
      return false;  // CopyEntry recursed already
    });
  }

  Status WriteFile(int src_fd, const struct stat& st, int dst_dir, const std::string& dst_name) {
    UniqueFd dst(::openat(dst_dir, dst_name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!dst.valid()) return ErrnoToStatus(errno, "create " + dst_name);
    RETURN_IF_ERROR(CopyData(src_fd, dst.get(), st.st_size));
    return SetMeta(dst.get(), st, t_, false);
  }

  Result<UniqueFd> MakeDir(int dst_dir, const std::string& name, const struct stat& st) {
    RETURN_IF_ERROR(ClearDest(dst_dir, name, true));
    if (::mkdirat(dst_dir, name.c_str(), 0755) != 0 && errno != EEXIST)
      return ErrnoToStatus(errno, "mkdir " + name);
    UniqueFd fd(::openat(dst_dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid()) return ErrnoToStatus(errno, "open " + name);
    (void)st;
    return fd;
  }

 private:
  std::string Inner(const std::string& full) const {
    if (item_.empty()) return full;
    return full.size() > item_.size() ? full.substr(item_.size() + 1) : "";
  }

  const CopySourceRoot& root_;
  const CopyTarget& t_;
  std::string item_;
};

bool LooksLikeArchive(int fd) {
  unsigned char magic[512];
  ssize_t n = ::pread(fd, magic, sizeof magic, 0);
  if (n < 4) return false;
  if (magic[0] == 0x1f && magic[1] == 0x8b) return true;                               // gzip
  if (magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd) return true;  // zstd
  if (n >= 262 && std::string_view(reinterpret_cast<char*>(magic) + 257, 5) == "ustar") return true;
  return false;
}

std::string CleanDest(const std::string& workdir, const std::string& dest) {
  std::string d = dest.empty() ? "." : dest;
  if (d[0] != '/') d = (workdir.empty() ? "/" : workdir) + "/" + d;
  return d;
}

}  // namespace

Result<uint32_t> ParseChmod(const std::string& text) {
  if (text.empty() || text.size() > 4) return InvalidArgumentError("invalid --chmod \"" + text + "\": want octal");
  uint32_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '7') return InvalidArgumentError("invalid --chmod \"" + text + "\": want octal");
    v = v * 8 + static_cast<uint32_t>(c - '0');
  }
  return v;
}

Result<std::vector<CopySourceItem>> ResolveCopySources(const CopySourceRoot& root,
                                                       const std::vector<std::string>& sources) {
  std::vector<CopySourceItem> items;
  std::vector<std::string> unmatched_globs;
  for (const auto& source : sources) {
    std::string pivot = ParentsPivotBase(source);
    std::string clean = frontend::CleanPath(source);
    while (!clean.empty() && clean[0] == '/') clean.erase(0, 1);
    if (clean == "..") clean = "";
    if (clean.rfind("../", 0) == 0 || clean == "..")
      return InvalidArgumentError("COPY source " + source + " is outside " + Where(root));
    if (clean == ".") clean.clear();
    bool glob = HasGlob(clean);
    std::vector<std::string> rels;
    if (glob) {
      ASSIGN_OR_RETURN(rels, Expand(root, clean));
    } else {
      rels.push_back(clean);
    }
    size_t before = items.size();
    for (const auto& rel : rels) {
      if (Ignored(root, rel) || ExcludedItem(root, rel)) continue;
      auto fd = OpenInRoot(root.root_fd, rel.empty() ? "." : rel, O_PATH);
      if (!fd.ok()) {
        if (glob) continue;
        return NotFoundError("COPY source " + source + ": no such file or directory in " + Where(root));
      }
      CopySourceItem item;
      item.rel = rel;
      item.from_glob = glob;
      item.parents_base = pivot;
      if (::fstat(fd->get(), &item.st) != 0) return ErrnoToStatus(errno, "stat " + source);
      items.push_back(std::move(item));
    }
    if (glob && rels.empty()) {
      unmatched_globs.push_back(source);
      continue;
    }
    if (items.size() == before)
      return NotFoundError("COPY source " + source + ": no such file or directory in " + Where(root) +
                           (root.is_context && root.ignore ? " (or excluded by the ignore file)" : "") +
                           (root.exclude ? " (or excluded by --exclude)" : ""));
  }
  if (items.empty() && !unmatched_globs.empty())
    return NotFoundError("COPY source " + unmatched_globs[0] + ": no such file or directory in " + Where(root) +
                         " (the pattern matched nothing)");
  return items;
}

Result<Digest> DigestCopySources(const CopySourceRoot& root, const std::vector<CopySourceItem>& items,
                                 const frontend::CopyOp& op) {
  Digester d;
  ContentHasher scratch("");
  ContentHasher* hasher = root.hasher ? root.hasher : &scratch;
  auto record = [&](const std::string& rel, const struct stat& st, const std::string& extra) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "\t%o\t%lld\t", static_cast<unsigned>(st.st_mode),
                  static_cast<long long>(S_ISREG(st.st_mode) ? st.st_size : 0));
    d.Update(rel);
    d.Update(buf);
    d.Update(extra);
    d.Update("\n", 1);
  };
  for (const auto& item : items) {
    d.Update("item\t" + item.rel + "\n");
    ASSIGN_OR_RETURN(UniqueFd fd, OpenInRoot(root.root_fd, item.rel.empty() ? "." : item.rel, O_RDONLY));
    if (S_ISREG(item.st.st_mode)) {
      ASSIGN_OR_RETURN(Digest c, hasher->HashFd(fd.get(), item.st, item.rel));
      record(item.rel, item.st, c.hex());
      continue;
    }
    if (!S_ISDIR(item.st.st_mode)) {
      record(item.rel, item.st, "");
      continue;
    }
    RETURN_IF_ERROR(WalkTree(fd.get(), [&](const WalkEntry& e) -> Result<bool> {
      std::string full = JoinRel(item.rel, e.rel);
      if (!e.rel.empty() && Ignored(root, full)) {
        if (!S_ISDIR(e.st.st_mode) || root.ignore->CanSkipDir(full)) return false;
      }
      bool excluded = ExcludedInner(root, e.rel);
      if (excluded && (!S_ISDIR(e.st.st_mode) || CanSkipExcludedDir(root, e.rel))) return false;
      if (S_ISREG(e.st.st_mode)) {
        if (Ignored(root, full) || excluded) return false;
        ASSIGN_OR_RETURN(Digest c, hasher->HashFile(e.parent_fd, e.name, e.st, full));
        record(e.rel, e.st, c.hex());
      } else if (S_ISLNK(e.st.st_mode)) {
        if (Ignored(root, full) || excluded) return false;
        record(e.rel, e.st, e.link_target);
      } else {
        record(e.rel, e.st, "");
      }
      return true;
    }));
  }
  for (const auto& f : op.inline_sources) {
    d.Update("heredoc\t" + f.name + "\n");
    d.Update(Digest::Sha256(f.content).hex());
  }
  return d.Finish();
}

Status ExecuteCopy(const CopySourceRoot& root, const std::vector<CopySourceItem>& items,
                   const frontend::CopyOp& op, const CopyTarget& target, bool extract_archives) {
  std::string dest = CleanDest(target.workdir, op.dest);
  size_t count = items.size() + op.inline_sources.size();
  bool dest_is_dir = dest.back() == '/' || count > 1 || op.parents ||
                     (count == 1 && items.size() == 1 && S_ISDIR(items[0].st.st_mode));
  // Several sources make the destination a directory even without a
  // trailing '/' (buildah; Docker refuses that form).
  dest_is_dir = dest_is_dir || op.sources.size() + op.inline_sources.size() > 1;
  Copier copier(root, target);
  // A single file to a non-slash destination that already is a directory
  // goes inside it.
  if (!dest_is_dir) {
    auto existing = OpenInRoot(target.rootfs_fd, dest, O_PATH);
    struct stat st;
    if (existing.ok() && ::fstat(existing->get(), &st) == 0 && S_ISDIR(st.st_mode)) dest_is_dir = true;
  }
  if (dest_is_dir) {
    bool dest_existed = OpenInRoot(target.rootfs_fd, dest, O_PATH).ok();
    ASSIGN_OR_RETURN(UniqueFd dir_path, OpenDirInRoot(target.rootfs_fd, dest, /*create=*/true));
    ASSIGN_OR_RETURN(UniqueFd dir, OpenInRoot(target.rootfs_fd, dest, O_RDONLY | O_DIRECTORY));
    // A destination directory the COPY creates belongs to --chown (as in BuildKit).
    if (!dest_existed && ::fchown(dir.get(), target.uid, target.gid) != 0 && errno != EPERM)
      return ErrnoToStatus(errno, "chown " + dest);
    for (const auto& item : items) {
      ASSIGN_OR_RETURN(UniqueFd src, OpenInRoot(root.root_fd, item.rel.empty() ? "." : item.rel,
                                                S_ISDIR(item.st.st_mode) ? O_RDONLY | O_DIRECTORY : O_RDONLY));
      int dst_dir = dir.get();
      UniqueFd parents_dir;
      // --parents keeps the source's path below its pivot (all of it without one).
      const std::string prel = op.parents ? StripParentsBase(item.rel, item.parents_base) : item.rel;
      const bool keep_path = op.parents && !prel.empty();
      if (keep_path) {
        std::string parent = prel.find('/') == std::string::npos ? "" : prel.substr(0, prel.rfind('/'));
        if (!parent.empty()) {
          ASSIGN_OR_RETURN(parents_dir, OpenDirInRoot(dir.get(), parent, true));
          ASSIGN_OR_RETURN(parents_dir, OpenInRoot(dir.get(), parent, O_RDONLY | O_DIRECTORY));
          dst_dir = parents_dir.get();
        }
      }
      if (S_ISDIR(item.st.st_mode)) {
        copier.set_item(item.rel);
        if (keep_path) {
          ASSIGN_OR_RETURN(UniqueFd sub, copier.MakeDir(dst_dir, Basename(prel), item.st));
          RETURN_IF_ERROR(copier.CopyContents(src.get(), item.rel, sub.get()));
          RETURN_IF_ERROR(SetMeta(sub.get(), item.st, target, true));
        } else {
          RETURN_IF_ERROR(copier.CopyContents(src.get(), item.rel, dst_dir));
        }
        continue;
      }
      if (extract_archives && S_ISREG(item.st.st_mode) && LooksLikeArchive(src.get())) {
        auto applied = ApplyLayerAt(src.get(), dst_dir);
        if (!applied.ok()) return applied.status().Annotate("extracting " + item.rel);
        continue;
      }
      std::string name = Basename(item.rel);
      RETURN_IF_ERROR(ClearDest(dst_dir, name, false));
      if (S_ISREG(item.st.st_mode)) {
        RETURN_IF_ERROR(copier.WriteFile(src.get(), item.st, dst_dir, name));
      } else {
        // A top-level symlink was followed in-root; other types are skipped.
      }
    }
    for (const auto& f : op.inline_sources) {
      struct stat st {};
      st.st_mode = S_IFREG | 0644;
      RETURN_IF_ERROR(ClearDest(dir.get(), f.name, false));
      UniqueFd out(::openat(dir.get(), f.name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
      if (!out.valid()) return ErrnoToStatus(errno, "create " + f.name);
      RETURN_IF_ERROR(WriteAll(out.get(), f.content));
      RETURN_IF_ERROR(SetMeta(out.get(), st, target, false));
    }
    (void)dir_path;
    return Status();
  }
  // One file (or heredoc) to an exact path.
  std::string parent = dest.substr(0, dest.rfind('/'));
  std::string name = dest.substr(dest.rfind('/') + 1);
  ASSIGN_OR_RETURN(UniqueFd parent_path, OpenDirInRoot(target.rootfs_fd, parent.empty() ? "/" : parent, true));
  ASSIGN_OR_RETURN(UniqueFd dir, OpenInRoot(target.rootfs_fd, parent.empty() ? "/" : parent, O_RDONLY | O_DIRECTORY));
  RETURN_IF_ERROR(ClearDest(dir.get(), name, false));
  if (!op.inline_sources.empty()) {
    struct stat st {};
    st.st_mode = S_IFREG | 0644;
    UniqueFd out(::openat(dir.get(), name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (!out.valid()) return ErrnoToStatus(errno, "create " + dest);
    RETURN_IF_ERROR(WriteAll(out.get(), op.inline_sources[0].content));
    return SetMeta(out.get(), st, target, false);
  }
  const CopySourceItem& item = items.at(0);
  ASSIGN_OR_RETURN(UniqueFd src, OpenInRoot(root.root_fd, item.rel, O_RDONLY));
  if (extract_archives && LooksLikeArchive(src.get())) {
    ASSIGN_OR_RETURN(UniqueFd d, OpenDirInRoot(target.rootfs_fd, dest, true));
    auto applied = ApplyLayerAt(src.get(), d.get());
    if (!applied.ok()) return applied.status().Annotate("extracting " + item.rel);
    return Status();
  }
  (void)parent_path;
  return copier.WriteFile(src.get(), item.st, dir.get(), name);
}

}  // namespace shale
