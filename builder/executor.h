// Build: executes a Containerfile's BuildGraph and commits the target image.
//
// Plan: stages run as soon as the stages they need are done (up to --jobs
// at once); stages the target does not need were pruned by the frontend and
// never run. Per stage, steps run in order on one WorkingTree (snapshotter),
// prepared lazily — a stage whose steps are all cached never touches a
// filesystem. Each filesystem step becomes one layer (none when it changed
// nothing); metadata steps only change the config. Every step is recorded in
// history.
//
// Cache (--layers): a step's key is the sha256 of a canonical record of
// {format version, parent key, step kind, the expanded instruction
// (HistoryCreatedBy), content digest of COPY/ADD sources and bind-mount
// sources, heredoc bodies, platform, timestamp policy}. Keys chain, so a
// changed input invalidates exactly the steps after it. Lookup is one file
// read (BuildCache).
//
// Tags are written at the very end, after every blob is durable.
#ifndef SHALE_BUILDER_EXECUTOR_H_
#define SHALE_BUILDER_EXECUTOR_H_

#include <string>
#include <vector>

#include "base/descriptor.h"
#include "base/status.h"
#include "builder/build_options.h"
#include "builder/progress.h"

namespace shale {

struct BuildOutcome {
  std::string image_id;        // "sha256:<config digest>"
  Descriptor manifest;
  std::vector<std::string> names;  // tags written
  int steps_total = 0;
  int steps_cached = 0;
};

// When a RUN step exits non-zero, *run_exit_code (if given) receives its exit
// code (128+N for signal N) and the error reads
// "<file>:<line>: building at STEP \"RUN …\": exit status N", as buildah's.
Result<BuildOutcome> RunBuild(const BuildOptions& options, const std::string& store_root, Progress& progress,
                              int* run_exit_code = nullptr);

}  // namespace shale

#endif  // SHALE_BUILDER_EXECUTOR_H_
