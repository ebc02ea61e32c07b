#include "tests/storage/layer_test_util.h"

#include <dirent.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "base/digest.h"

namespace shale::layertest {

TempDir::~TempDir() {
  if (!path_.empty() && getenv("SHALE_KEEP_TEST_DIRS") == nullptr) {
    std::string cmd = "rm -rf --one-file-system '" + path_ + "'";
    (void)system(cmd.c_str());
  }
}

int Sh(const std::string& cmd) {
  int r = system(cmd.c_str());
  if (r == -1 || !WIFEXITED(r)) return -1;
  return WEXITSTATUS(r);
}

std::string ShOut(const std::string& cmd) {
  std::string out;
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  pclose(f);
  return out;
}

std::string ReadFile(const std::string& path) {
  auto r = ReadFileCapped(path, 1 << 30);
  return r.ok() ? *r : std::string("<unreadable>");
}

void WriteFile(const std::string& path, const std::string& data, int mode) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
  (void)WriteAll(fd.get(), data);
}

int OpenRead(const std::string& path) { return ::open(path.c_str(), O_RDONLY | O_CLOEXEC); }

namespace {

std::string Xattrs(const std::string& path) {
  std::vector<char> names(65536);
  ssize_t n = llistxattr(path.c_str(), names.data(), names.size());
  if (n <= 0) return "";
  std::map<std::string, std::string> kv;
  for (ssize_t i = 0; i < n;) {
    std::string name(&names[i]);
    i += static_cast<ssize_t>(name.size()) + 1;
    if (name.rfind("trusted.overlay.", 0) == 0 || name.rfind("user.overlay.", 0) == 0) continue;
    std::vector<char> v(65536);
    ssize_t m = lgetxattr(path.c_str(), name.c_str(), v.data(), v.size());
    kv[name] = m >= 0 ? std::string(v.data(), static_cast<size_t>(m)) : "?";
  }
  std::string out;
  for (auto& [k, v] : kv) out += k + "=" + HexEncode(reinterpret_cast<const unsigned char*>(v.data()), v.size()) + ";";
  return out;
}

void Walk(const std::string& root, const std::string& rel, const TreeOptions& o,
          std::map<std::string, std::string>* out, std::map<std::pair<dev_t, ino_t>, std::string>* links) {
  std::string full = rel.empty() ? root : root + "/" + rel;
  struct stat st;
  if (lstat(full.c_str(), &st) != 0) return;
  std::string line;
  char buf[256];
  const char* type = S_ISREG(st.st_mode)   ? "file"
                     : S_ISDIR(st.st_mode) ? "dir"
                     : S_ISLNK(st.st_mode) ? "symlink"
                     : S_ISCHR(st.st_mode) ? "char"
                     : S_ISBLK(st.st_mode) ? "block"
                     : S_ISFIFO(st.st_mode) ? "fifo" : "other";
  snprintf(buf, sizeof buf, "%s mode=%o uid=%u gid=%u", type, st.st_mode & 07777, st.st_uid, st.st_gid);
  line = buf;
  if (S_ISREG(st.st_mode)) {
    line += " size=" + std::to_string(st.st_size) + " sha=" + Digest::Sha256(ReadFile(full)).Short();
    if (st.st_nlink > 1) {
      auto key = std::make_pair(st.st_dev, st.st_ino);
      auto it = links->find(key);
      if (it == links->end()) (*links)[key] = rel;
      line += " link=" + (*links)[key];
    }
  }
  if (S_ISLNK(st.st_mode)) {
    char t[4096];
    ssize_t n = readlink(full.c_str(), t, sizeof t);
    line += " target=" + std::string(t, n > 0 ? static_cast<size_t>(n) : 0);
  }
  if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
    line += " dev=" + std::to_string(major(st.st_rdev)) + "," + std::to_string(minor(st.st_rdev));
  std::string x = Xattrs(full);
  if (!x.empty()) line += " xattrs=" + x;
  if (o.mtime && (!S_ISDIR(st.st_mode) || o.dir_mtime) && !(rel.empty()))
    line += " mtime=" + std::to_string(st.st_mtim.tv_sec);
  if (!rel.empty() || o.root_entry) (*out)[rel.empty() ? "." : rel] = line;
  if (S_ISDIR(st.st_mode)) {
    std::vector<std::string> names;
    if (DIR* d = opendir(full.c_str())) {
      while (dirent* de = readdir(d)) {
        std::string n = de->d_name;
        if (n != "." && n != "..") names.push_back(n);
      }
      closedir(d);
    }
    std::sort(names.begin(), names.end());
    for (auto& n : names) Walk(root, rel.empty() ? n : rel + "/" + n, o, out, links);
  }
}

}  // namespace

std::map<std::string, std::string> SnapshotTree(const std::string& root, const TreeOptions& o) {
  std::map<std::string, std::string> out;
  std::map<std::pair<dev_t, ino_t>, std::string> links;
  Walk(root, "", o, &out, &links);
  return out;
}

std::string DiffTrees(const std::map<std::string, std::string>& a,
                      const std::map<std::string, std::string>& b) {
  std::string d;
  for (auto& [k, v] : a) {
    auto it = b.find(k);
    if (it == b.end()) d += "- " + k + ": " + v + "\n";
    else if (it->second != v) d += "~ " + k + ":\n    " + v + "\n    " + it->second + "\n";
  }
  for (auto& [k, v] : b)
    if (!a.count(k)) d += "+ " + k + ": " + v + "\n";
  return d;
}

}  // namespace shale::layertest
