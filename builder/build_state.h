// Internal state of one build: what executor.cc (orchestration),
// step_exec.cc (RUN/COPY/WORKDIR) and image_commit.cc (the final image) share.
#ifndef SHALE_BUILDER_BUILD_STATE_H_
#define SHALE_BUILDER_BUILD_STATE_H_

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/descriptor.h"
#include "base/fd.h"
#include "base/platform.h"
#include "builder/base_image.h"
#include "builder/build_options.h"
#include "builder/cache_index.h"
#include "builder/config_ops.h"
#include "builder/content_hasher.h"
#include "builder/named_context.h"
#include "builder/progress.h"
#include "builder/url_source.h"
#include "frontend/build_graph.h"
#include "frontend/ignore.h"
#include "runtime/isolation_backend.h"
#include "storage/image_store.h"
#include "storage/snapshotter.h"

namespace shale::internal {

// A stage's image state as steps advance it.
struct StageState {
  oci::ImageConfig config;
  std::vector<Descriptor> layers;  // parallel to config.rootfs.diff_ids
  Digest key;                      // cache key of the last step (or of the base)
  StageConfigState cfg;
  std::unique_ptr<WorkingTree> tree;
  bool tree_current = false;       // tree holds exactly `layers`
  std::mutex tree_mu;              // readers (COPY --from) vs. lazy preparation
  // --squash: steps change the tree without committing; the stage ends with
  // one layer holding everything (SquashStage).
  bool squash = false;
  int squash_history = -1;  // history entry of the last filesystem step
  std::vector<std::string> squash_exclude;  // RUN steps' scratch paths, for the final diff
  // FROM <image> (not scratch, not a stage): the name it resolved to and its
  // platform manifest's digest, for the base-image annotations; else empty.
  std::string base_name;
  std::string base_digest;
  std::string saved_image_id;  // --save-stages: hex id of this stage's image, if one was made
};

struct BuildContext {
  const BuildOptions* options = nullptr;
  std::string store_root;
  Progress* progress = nullptr;
  std::unique_ptr<ImageStore> store;
  std::optional<Lease> lease;
  std::unique_ptr<Snapshotter> snapshotter;
  std::unique_ptr<BuildCache> cache;
  std::unique_ptr<BaseImages> images;
  Platform platform;
  std::string file;      // Containerfile name for messages
  std::string text;      // its content
  frontend::BuildGraph graph;
  std::string context_dir;  // absolute
  UniqueFd context_fd;
  std::optional<frontend::IgnoreMatcher> ignore;
  std::unique_ptr<ContentHasher> hasher;
  std::optional<int64_t> epoch;  // --timestamp, else SOURCE_DATE_EPOCH
  std::string created;           // RFC 3339 for history/config of executed steps
  LayerWriterOptions layer_options;

  std::mutex backend_mu;
  std::unique_ptr<runtime::IsolationBackend> backend;

  // Image trees for COPY --from=<image> / RUN --mount from=<image>.
  std::mutex image_trees_mu;
  std::map<std::string, std::unique_ptr<WorkingTree>> image_trees;

  std::vector<std::unique_ptr<StageState>> stages;  // by graph stage index
  // Progress event numbers (one sequence over the build, FROMs included).
  std::vector<int> step_numbers;   // per graph step
  std::vector<int> from_numbers;   // per stage's FROM
  std::mutex count_mu;
  int steps_cached = 0;

  DownloadDirs downloads;  // ADD <url>: per step, filled by StepInputs

  std::map<std::string, NamedContext> named_contexts;  // --build-context, by lowercase name

  std::atomic<int> run_exit_code{0};  // the failing RUN's exit code, if one failed

  std::string Location(int step) const;
};

// The --build-context directory `from` (COPY --from, mount from=) names, or
// null (a stage, an image, or an image context).
const NamedContext* DirContext(const BuildContext& ctx, const std::string& from);

// The parent chain of a state, for Snapshotter::Prepare.
std::vector<ParentLayer> ChainOf(const oci::ImageConfig& config, const std::vector<Descriptor>& layers);
OpenBlobFn BlobOpener(ImageStore& store);

// Makes sure state.tree holds state.layers (preparing a fresh tree if not).
Status EnsureTree(BuildContext& ctx, StageState& state);

// Executes a filesystem step (RUN, COPY, ADD, WORKDIR) in state.tree.
// `inputs` receives nothing; the step's cache key was computed before.
Status ExecuteRun(BuildContext& ctx, int step, StageState& state);
Status ExecuteCopy(BuildContext& ctx, int step, StageState& state);
Status ExecuteWorkdir(BuildContext& ctx, int step, StageState& state);

// Digest of what a COPY/ADD or RUN (bind mounts, heredocs) reads, for its key.
Result<std::string> StepInputs(BuildContext& ctx, int step);

// The rootfs of stage `stage` (final state) or image `ref`, for reading.
Result<std::string> StageRootfs(BuildContext& ctx, int stage);
Result<std::string> ImageRootfs(BuildContext& ctx, const std::string& ref);

// Diffs state.tree and commits the changes as a layer (or an empty-layer
// history entry when nothing changed). `exclude` as DiffOptions::exclude.
Status CommitStep(BuildContext& ctx, int step, StageState& state, const std::vector<std::string>& exclude);
// --squash: commits everything the stage's steps changed as one layer.
Status SquashStage(BuildContext& ctx, StageState& state);

}  // namespace shale::internal

#endif  // SHALE_BUILDER_BUILD_STATE_H_
