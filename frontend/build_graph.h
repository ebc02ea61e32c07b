// BuildGraph: what the frontend hands the builder. Plain structs in the
// ninja/BuildKit style: stages and steps live in vectors and refer to each
// other by index. Only stages needed for the target are present.
//
// Invariants (checked by VerifyGraph):
//   * stages[i].steps lists step indices of stage i in execution order; each
//     step's `stage` is i and its `parent` is the previous step of the stage
//     (-1 for the first, which starts from the stage base).
//   * stage bases and step inputs refer to stages in the graph; the stage
//     dependency relation (Stage::deps) is acyclic, and a stage's base stage
//     always comes earlier in the file.
//   * target is a valid stage index, and every stage is reachable from it.
//   * step env_count/arg_count never exceed, and never decrease along, the
//     stage's env/args logs.
//
// Values are fully expanded per Dockerfile rules (ENV, LABEL, COPY/ADD
// sources/dest/flags, WORKDIR, USER, VOLUME, EXPOSE, STOPSIGNAL, ARG
// defaults, RUN --mount options, FROM image/platform). RUN/CMD/ENTRYPOINT
// command text is NOT expanded: the shell in the container does that; what
// RUN needs is its environment, see StepRunEnv().
#ifndef SHALE_FRONTEND_BUILD_GRAPH_H_
#define SHALE_FRONTEND_BUILD_GRAPH_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/status.h"
#include "frontend/source.h"

namespace shale::frontend {

struct KeyValue {
  std::string key;
  std::string value;
  friend bool operator==(const KeyValue&, const KeyValue&) = default;
};

enum class StepKind {
  kRun, kCopy, kAdd, kEnv, kArg, kLabel, kExpose, kUser, kWorkdir, kVolume, kStopSignal,
  kCmd, kEntrypoint, kShell, kHealthcheck, kOnbuild, kMaintainer,
};
// "RUN", "COPY", ...
std::string_view StepKindName(StepKind kind);

// A here-document body used as a file (COPY/ADD source) or by RUN.
struct InlineFile {
  std::string name;     // the heredoc word (`EOF`, `file.txt`)
  std::string content;  // COPY/ADD: tabs chomped for <<-, expanded unless quoted; RUN: as written
  int file_descriptor = 0;
  bool expand = true;
  bool chomp = false;
};

enum class MountType { kBind, kCache, kTmpfs, kSecret, kSsh };
enum class CacheSharing { kShared, kPrivate, kLocked };

// RUN --mount=... with BuildKit's defaults filled in.
struct Mount {
  MountType type = MountType::kBind;
  std::string target;   // absolute path in the container (secret/ssh get defaults)
  std::string source;   // path inside `from` (bind, cache); empty = its root
  std::string from;     // stage name/index or image ref; empty = build context (bind) / none
  int from_stage = -1;  // graph stage index when `from` names a stage
  bool readonly = false;  // bind: true unless rw; others false unless ro
  std::string id;       // cache (default: target), secret (default: basename of target), ssh ("default")
  CacheSharing sharing = CacheSharing::kShared;
  bool required = false;           // secret/ssh must exist
  std::optional<uint32_t> mode;    // secret 0400, ssh 0600 by default; cache none
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;
  uint64_t size_bytes = 0;         // tmpfs size; 0 = no limit
  std::string env;                 // secret: also exposed as this env variable
};

struct RunOp {
  bool exec_form = false;
  std::vector<std::string> exec;   // exec form: argv as written
  std::string command;             // shell form: the command text as written (not expanded)
  std::vector<std::string> shell;  // SHELL in effect (default /bin/sh -c)
  std::vector<InlineFile> heredocs;
  std::vector<Mount> mounts;
  std::string network = "default";   // default | none | host
  std::string security = "sandbox";  // sandbox | insecure
};

struct CopyOp {  // COPY and ADD
  std::vector<std::string> sources;        // context paths, URLs (ADD), or paths in `from`
  std::vector<InlineFile> inline_sources;  // heredoc sources, in order after `sources`
  std::string dest;
  std::string from;     // --from as expanded; empty = build context
  int from_stage = -1;  // graph stage index when `from` names a stage; else an image ref
  std::string chown;
  std::string chmod;
  bool link = false;
  bool parents = false;                // COPY --parents
  std::vector<std::string> excludes;   // --exclude patterns
  std::string checksum;                // ADD --checksum
  bool keep_git_dir = false;           // ADD --keep-git-dir
};

struct EnvOp { std::vector<KeyValue> vars; };
struct ArgOp {
  struct Arg {
    std::string key;
    std::optional<std::string> value;  // resolved: --build-arg, default, or global ARG
  };
  std::vector<Arg> args;
};
struct LabelOp { std::vector<KeyValue> labels; };
struct ExposeOp { std::vector<std::string> ports; };  // "80", "53/udp", "8000-8010"
struct UserOp { std::string user; };
struct WorkdirOp { std::string path; };  // may be relative to the previous WORKDIR
struct VolumeOp { std::vector<std::string> paths; };
struct StopSignalOp { std::string signal; };
// CMD / ENTRYPOINT. `argv` is the image config value: exec form as written,
// shell form as shell + [command].
struct CommandOp {
  std::vector<std::string> argv;
  bool shell_form = false;
};
struct ShellOp { std::vector<std::string> shell; };
struct HealthcheckOp {
  std::vector<std::string> test;  // {"NONE"}, {"CMD", args...} or {"CMD-SHELL", command}
  int64_t interval_ns = 0;        // 0 = inherit/default
  int64_t timeout_ns = 0;
  int64_t start_period_ns = 0;
  int64_t start_interval_ns = 0;
  int retries = 0;
};
struct OnbuildOp { std::string trigger; };  // as stored in the image config
struct MaintainerOp { std::string name; };

using StepOp = std::variant<RunOp, CopyOp, EnvOp, ArgOp, LabelOp, ExposeOp, UserOp, WorkdirOp, VolumeOp,
                            StopSignalOp, CommandOp, ShellOp, HealthcheckOp, OnbuildOp, MaintainerOp>;

struct Step {
  StepKind kind = StepKind::kRun;
  int stage = -1;
  int parent = -1;                // previous step in the stage; -1: starts from the stage base
  std::vector<int> input_stages;  // other stages read (COPY --from, RUN --mount from=), sorted, unique
  SourceLocation location;        // of the instruction (of the FROM line for base-image triggers)
  std::string original;           // the instruction as written, for history `created_by`
  bool from_onbuild = false;      // injected from the base image's ONBUILD triggers
  size_t env_count = 0;           // Stage::env[0, env_count) is the ENV in effect when the step runs
  size_t arg_count = 0;           // Stage::args[0, arg_count) are the ARGs in effect
  StepOp op;
};

enum class BaseKind { kImage, kStage, kScratch };

struct Stage {
  std::string name;          // lower-case `AS` name; may be empty
  int original_index = 0;    // index among the FROM lines of the file
  BaseKind base_kind = BaseKind::kScratch;
  std::string base_image;    // expanded image reference (kImage)
  int base_stage = -1;       // graph stage index (kStage)
  std::string platform;      // expanded FROM --platform; empty = the target platform
  SourceLocation location;
  std::string original;      // the FROM line
  std::vector<int> steps;
  // ENV log: the base's env first (base_env_count entries), then every ENV
  // assignment in order. Later entries win.
  std::vector<KeyValue> env;
  size_t base_env_count = 0;
  // ARG log: declared ARGs that have a value, in order. Later entries win.
  std::vector<KeyValue> args;
  std::vector<int> deps;     // stages this one needs: base stage and step inputs, sorted, unique
};

struct BuildGraph {
  std::string file;
  std::vector<Stage> stages;  // in Containerfile order; pruned to what `target` needs
  std::vector<Step> steps;
  int target = -1;
  std::vector<KeyValue> global_args;  // ARGs before the first FROM, resolved
  // Proxy build args (HTTP_PROXY, no_proxy, ...): given to every RUN, never
  // recorded in history or the image.
  std::vector<KeyValue> proxy_args;
  std::vector<std::string> warnings;  // e.g. unused --build-arg
};

// True for the predefined proxy args (HTTP_PROXY, HTTPS_PROXY, FTP_PROXY,
// NO_PROXY, ALL_PROXY in both cases).
bool IsProxyArg(std::string_view name);

// The image ENV in effect when step `step` runs (base env + ENV so far),
// one entry per name, in first-assignment order.
std::vector<KeyValue> StepEnv(const BuildGraph& graph, int step);
// What a RUN step's process sees: StepEnv, then ARGs in effect that ENV does
// not define, then proxy args not otherwise defined.
std::vector<KeyValue> StepRunEnv(const BuildGraph& graph, int step);
// The ARGs (without proxy args) a RUN step records in history as
// "|N K=V ... <command>", in declaration order. An ARG that an ENV of the
// stage overrides is left out (its value cannot reach the step), as docker
// and buildah do, so its build-arg value does not change the image.
std::vector<KeyValue> StepHistoryArgs(const BuildGraph& graph, int step);

// How to run a RUN step (BuildKit's behaviour):
//  * exec form: argv = exec;
//  * shell form: argv = shell + [command] (just `shell` for a bare RUN);
//  * shell form whose command is just one heredoc (`RUN <<EOF`): the body is
//    the script: argv = shell + [body], or, when the body starts with "#!",
//    argv = {"/dev/pipes/<name>"} and the body must be provided there as an
//    executable file (listed in pipe_files);
//  * other heredocs: the command with the bodies appended as shell
//    here-documents: argv = shell + [command "\n" body name "\n" ...].
struct RunPlan {
  std::vector<std::string> argv;
  std::vector<InlineFile> pipe_files;
};
RunPlan PlanRun(const RunOp& run);

// How progress output shows a step (buildah's form): the instruction as
// written, then for each heredoc " (first line of its body)", with "..."
// before the ")" when the body has more lines.
std::string StepDisplay(const Step& step);

// A human-readable listing (one line per stage and per step) for
// `shale parse --graph` and debugging. Not a stable format.
std::string DumpGraph(const BuildGraph& graph);

// Checks the invariants listed at the top of this file. FailedPrecondition
// naming the first violation.
Status VerifyGraph(const BuildGraph& graph);

}  // namespace shale::frontend

#endif  // SHALE_FRONTEND_BUILD_GRAPH_H_
