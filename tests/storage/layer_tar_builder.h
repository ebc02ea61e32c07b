// Builds (possibly hostile) layer tars in memory for tests, with TarWriter,
// which writes whatever names it is given.
#ifndef SHALE_TESTS_STORAGE_LAYER_TAR_BUILDER_H_
#define SHALE_TESTS_STORAGE_LAYER_TAR_BUILDER_H_

#include <string>
#include <vector>

#include "storage/compress.h"
#include "storage/tar_writer.h"
#include "tests/storage/layer_test_util.h"

namespace shale::layertest {

struct TarBuilder {
  struct Item {
    TarEntry entry;
    std::string data;
  };
  std::vector<Item> items;

  TarBuilder& File(const std::string& path, const std::string& data, uint32_t mode = 0644) {
    TarEntry e;
    e.path = path;
    e.mode = mode;
    e.size = static_cast<int64_t>(data.size());
    e.mtime = 1600000000;
    items.push_back({e, data});
    return *this;
  }
  TarBuilder& Dir(const std::string& path, uint32_t mode = 0755) {
    TarEntry e;
    e.path = path;
    e.type = TarType::kDir;
    e.mode = mode;
    e.mtime = 1600000000;
    items.push_back({e, ""});
    return *this;
  }
  TarBuilder& Symlink(const std::string& path, const std::string& target) {
    TarEntry e;
    e.path = path;
    e.type = TarType::kSymlink;
    e.mode = 0777;
    e.link_target = target;
    e.mtime = 1600000000;
    items.push_back({e, ""});
    return *this;
  }
  TarBuilder& Hardlink(const std::string& path, const std::string& target) {
    TarEntry e;
    e.path = path;
    e.type = TarType::kHardlink;
    e.link_target = target;
    items.push_back({e, ""});
    return *this;
  }
  TarBuilder& Entry(const TarEntry& e, const std::string& data = "") {
    items.push_back({e, data});
    return *this;
  }

  std::string Build(Compression c = Compression::kNone) const {
    StringSink raw;
    auto sink = NewCompressingSink(c, -1, 2, &raw);
    TarWriter w(sink->get());
    for (const auto& it : items) {
      (void)w.WriteHeader(it.entry);
      if (!it.data.empty()) (void)w.WriteData(it.data.data(), it.data.size());
    }
    (void)w.Finish();
    (void)(*sink)->Finish();
    return raw.s;
  }
};

}  // namespace shale::layertest

#endif  // SHALE_TESTS_STORAGE_LAYER_TAR_BUILDER_H_
