#include "builder/output_export.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "base/fd.h"
#include "storage/layer_apply.h"
#include "storage/layer_changes.h"
#include "storage/snapshot_paths.h"
#include "storage/layer_writer.h"

namespace shale {
namespace {

class FdSink : public ByteSink {
 public:
  explicit FdSink(int fd) : fd_(fd) {}
  Status Write(const void* data, size_t len) override { return WriteAll(fd_, std::string_view(static_cast<const char*>(data), len)); }

 private:
  int fd_;
};

Status ApplyAll(const BlobStore& blobs, const std::vector<Descriptor>& layers, const std::vector<Digest>& diff_ids,
                const std::string& dir) {
  if (diff_ids.size() != layers.size())
    return InvalidArgumentError("the image config lists " + std::to_string(diff_ids.size()) + " diff_ids for " +
                                std::to_string(layers.size()) + " layers");
  for (size_t i = 0; i < layers.size(); ++i) {
    const Descriptor& layer = layers[i];
    ASSIGN_OR_RETURN(UniqueFd fd, blobs.OpenBlob(layer.digest));
    auto applied = ApplyLayer(fd.get(), dir, ApplyOptions{.expected_diff_id = diff_ids[i]});
    if (!applied.ok()) return applied.status().Annotate("applying layer " + layer.digest.ToString());
  }
  return Status();
}

Result<std::vector<std::string>> TopLevelNames(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return ErrnoToStatus(errno, "opendir " + dir);
  std::vector<std::string> names;
  while (struct dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

Status ExportRootfs(const BlobStore& blobs, const std::vector<Descriptor>& layers,
                    const std::vector<Digest>& diff_ids, const OutputSpec& spec,
                    const std::string& store_root, std::optional<int64_t> epoch) {
  if (spec.type == "local") {
    RETURN_IF_ERROR(MakeDirs(spec.dest).Annotate("--output " + spec.dest));
    return ApplyAll(blobs, layers, diff_ids, spec.dest).Annotate("--output " + spec.dest);
  }
  if (spec.type != "tar") return InvalidArgumentError("--output: unknown type " + spec.type);
  ASSIGN_OR_RETURN(StateDir scratch, NewScratchDir(store_root, "export"));
  const std::string& tmp = scratch.path();
  Status st = [&]() -> Status {
    RETURN_IF_ERROR(ApplyAll(blobs, layers, diff_ids, tmp));
    Changes changes;
    changes.source_root = tmp;
    ASSIGN_OR_RETURN(auto names, TopLevelNames(tmp));
    for (const auto& n : names) changes.entries.push_back({Change::Kind::kAddTree, n});
    LayerWriterOptions lo;
    lo.compression = Compression::kNone;
    lo.source_date_epoch = epoch;
    UniqueFd out;
    int fd = 1;
    if (spec.dest != "-") {
      out = UniqueFd(::open(spec.dest.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
      if (!out.valid()) return ErrnoToStatus(errno, "open " + spec.dest);
      fd = out.get();
    }
    FdSink sink(fd);
    ASSIGN_OR_RETURN(LayerInfo info, WriteLayer(changes, lo, sink));
    (void)info;
    return Status();
  }();
  scratch.RemoveAndRelease().IgnoreError();
  return st.Annotate("--output " + spec.dest);
}

}  // namespace shale
