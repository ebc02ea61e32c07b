#include "builder/executor.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <condition_variable>
#include <filesystem>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "base/log.h"
#include "builder/build_state.h"
#include "builder/containerfile_cpp.h"
#include "builder/dir_steps.h"
#include "builder/output_export.h"
#include "builder/run_flags.h"
#include "builder/rusage.h"
#include "builder/image_commit.h"
#include "frontend/stage_compiler.h"
#include "storage/oci/json.h"

namespace shale {
namespace internal {

using frontend::StepKind;

std::string BuildContext::Location(int step) const {
  return file + ":" + std::to_string(graph.steps[step].location.line);
}

Result<std::string> StageRootfs(BuildContext& ctx, int stage) {
  StageState& st = *ctx.stages[stage];
  RETURN_IF_ERROR(EnsureTree(ctx, st));
  return st.tree->rootfs();
}

Result<std::string> ImageRootfs(BuildContext& ctx, const std::string& ref) {
  ASSIGN_OR_RETURN(ResolvedImage img, ctx.images->Resolve(ref));
  std::lock_guard<std::mutex> lock(ctx.image_trees_mu);
  auto it = ctx.image_trees.find(ref);
  if (it == ctx.image_trees.end()) {
    ASSIGN_OR_RETURN(auto tree, ctx.snapshotter->Prepare(ChainOf(img.config, img.layers), BlobOpener(*ctx.store)));
    it = ctx.image_trees.emplace(ref, std::move(tree)).first;
  }
  return it->second->rootfs();
}

const NamedContext* DirContext(const BuildContext& ctx, const std::string& from) {
  if (from.empty() || ctx.named_contexts.empty()) return nullptr;
  std::string lower = from;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto it = ctx.named_contexts.find(lower);
  if (it == ctx.named_contexts.end() || it->second.kind != NamedContext::Kind::kDirectory) return nullptr;
  return &it->second;
}

}  // namespace internal

namespace {

// Flags whose effect on RUN steps depends on what the runtime supports;
// --device paths are checked before anything runs (cached RUN steps or not).
Status CheckRunFlags(const BuildOptions& o) {
  runtime::RunSpec probe;
  RETURN_IF_ERROR(ApplyRunFlags(o, probe));
  if (!o.runtime_flags.empty())
    return UnimplementedError("--runtime-flag: passing flags to the OCI runtime is not supported yet");
  return Status();
}

using internal::BuildContext;
using internal::StageState;
using frontend::StepKind;

// strerror() capitalised as Go prints it ("no such file or directory").
std::string LowercaseErrno(int err) {
  std::string text = std::strerror(err);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

Digest KeyOf(const nlohmann::json& record) { return Digest::Sha256(oci::CanonicalJson(record)); }

// As buildah: a relative -f that does not exist from the current directory
// is looked up in the context directory; a directory is refused.
Result<std::string> FindContainerfile(const BuildOptions& o, const std::string& context) {
  if (!o.containerfile.empty()) {
    std::string path = o.containerfile;
    struct stat st;
    if (path[0] != '/' && ::stat(path.c_str(), &st) != 0 && errno == ENOENT) {
      std::string in_context = context + "/" + path;
      if (::stat(in_context.c_str(), &st) == 0) path = in_context;
    }
    if (::stat(path.c_str(), &st) != 0) {
      int err = errno;
      return Status(ErrnoToStatus(err, "").code(), "stat " + path + ": " + LowercaseErrno(err));
    }
    if (S_ISDIR(st.st_mode))
      return InvalidArgumentError("containerfile: \"" + o.containerfile + "\" cannot be path to a directory");
    return path;
  }
  for (const char* name : {"Containerfile", "Dockerfile"}) {
    std::string p = context + "/" + name;
    if (::access(p.c_str(), F_OK) == 0) return p;
  }
  return NotFoundError("no Containerfile or Dockerfile in " + context + " (use -f)");
}

class Builder {
 public:
  Builder(const BuildOptions& options, std::string root, Progress& progress) {
    ctx_.options = &options;
    ctx_.store_root = std::move(root);
    ctx_.progress = &progress;
  }

  Result<BuildOutcome> Run() {
    RETURN_IF_ERROR(Setup());
    RETURN_IF_ERROR(RunStages());
    ctx_.hasher->Save().IgnoreError();
    StageState& target = *ctx_.stages[ctx_.graph.target];
    if (target.config.config) {
      for (const std::string& key : ctx_.options->unsetenv)
        std::erase_if(target.config.config->env,
                      [&](const std::string& e) { return e.substr(0, e.find('=')) == key; });
    }
    if (ctx_.options->omit_history) target.config.history.clear();
    ASSIGN_OR_RETURN(BuildOutcome out, CommitImage(ctx_, target));
    if (ctx_.options->output) {
      RETURN_IF_ERROR(ExportRootfs(ctx_.store->blobs(), target.layers, target.config.rootfs.diff_ids, *ctx_.options->output,
                                   ctx_.store_root, ctx_.epoch));
    }
    out.steps_total = static_cast<int>(ctx_.graph.steps.size());
    out.steps_cached = ctx_.steps_cached;
    Cleanup();
    return out;
  }

  ~Builder() { Cleanup(); }
  int run_exit_code() const { return ctx_.run_exit_code; }

 private:
  static constexpr char kStageNameLabel[] = "io.buildah.stage.name";
  static constexpr char kStageBaseLabel[] = "io.buildah.stage.base";
  std::mutex save_mu_;  // --save-stages commits, from the stage threads

  Status Setup() {
    const BuildOptions& o = *ctx_.options;
    std::error_code ec;
    ctx_.context_dir = std::filesystem::absolute(o.context_dir, ec).lexically_normal().string();
    while (ctx_.context_dir.size() > 1 && ctx_.context_dir.back() == '/') ctx_.context_dir.pop_back();
    ctx_.context_fd = UniqueFd(::open(ctx_.context_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!ctx_.context_fd.valid()) {
      int err = errno;
      return Status(ErrnoToStatus(err, "").code(), "build context " + o.context_dir + ": " + LowercaseErrno(err));
    }
    if (o.containerfile == "-") {
      ctx_.file = "-";
      ctx_.text = o.containerfile_text;
    } else {
      ASSIGN_OR_RETURN(ctx_.file, FindContainerfile(o, ctx_.context_dir));
      if (NeedsPreprocessing(ctx_.file)) {
        ASSIGN_OR_RETURN(PreprocessedFile pre, PreprocessContainerfile(ctx_.file, ctx_.context_dir, o.cpp_flags));
        if (!pre.warning.empty()) ctx_.progress->Warning(pre.warning);
        ctx_.text = std::move(pre.text);
      } else {
        ASSIGN_OR_RETURN(ctx_.text, ReadFileCapped(ctx_.file, 16u << 20));
      }
    }
    RETURN_IF_ERROR(CheckRunFlags(o));
    // The ignore file, in buildah's order.
    frontend::IgnoreFileQuery q{o.ignorefile, o.containerfile == "-" ? "" : ctx_.file, ctx_.context_dir};
    std::string ignore_file =
        frontend::ChooseIgnoreFile(q, [](const std::string& p) { return ::access(p.c_str(), F_OK) == 0; });
    if (!ignore_file.empty()) {
      ASSIGN_OR_RETURN(std::string text, ReadFileCapped(ignore_file, 4u << 20));
      ASSIGN_OR_RETURN(auto patterns, frontend::ReadIgnorePatterns(text));
      auto m = frontend::IgnoreMatcher::Compile(patterns);
      if (!m.ok()) return m.status().Annotate(ignore_file);
      ctx_.ignore.emplace(std::move(*m));
    }
    ASSIGN_OR_RETURN(ctx_.store, ImageStore::Open(ctx_.store_root));
    ASSIGN_OR_RETURN(Lease lease, ctx_.store->AcquireLease());
    ctx_.lease.emplace(std::move(lease));
    ASSIGN_OR_RETURN(ctx_.snapshotter, SelectSnapshotter(o.storage_driver, ctx_.store_root));
    ctx_.cache = std::make_unique<BuildCache>(ctx_.store_root, &ctx_.store->blobs());
    ctx_.hasher = std::make_unique<ContentHasher>(HashMemoPath(ctx_.store_root, ctx_.context_dir));
    ctx_.platform = Platform::Host();
    if (!o.platform.empty()) {
      ASSIGN_OR_RETURN(Platform p, Platform::Parse(o.platform));
      if (!p.Matches(ctx_.platform))
        return UnimplementedError("--platform " + o.platform + ": only the host platform (" +
                                  ctx_.platform.ToString() + ") can be built for now");
    }
    ctx_.images = std::make_unique<BaseImages>(ctx_.store.get(), &o, ctx_.platform);
    ASSIGN_OR_RETURN(ctx_.named_contexts, OpenNamedContexts(o.build_contexts));
    std::map<std::string, std::string> image_contexts;
    std::set<std::string> dir_contexts, context_names;
    for (const auto& [name, nc] : ctx_.named_contexts) {
      context_names.insert(name);
      if (nc.kind == NamedContext::Kind::kImage) image_contexts[name] = nc.image;
      else dir_contexts.insert(name);
    }
    ctx_.images->SetNamedContexts(std::move(image_contexts), std::move(dir_contexts));
    ctx_.epoch = o.timestamp ? o.timestamp : o.source_date_epoch;
    auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
    int64_t now = std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count();
    ctx_.created = oci::FormatRfc3339(ctx_.epoch.value_or(now));
    if (!ctx_.epoch) {
      // Without a fixed epoch, nanoseconds as buildah writes them: two builds
      // within one second are still two images.
      int64_t nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch).count() % 1000000000;
      char frac[16];
      std::snprintf(frac, sizeof frac, ".%09lld", static_cast<long long>(nanos));
      if (!ctx_.created.empty() && ctx_.created.back() == 'Z') ctx_.created.insert(ctx_.created.size() - 1, frac);
    }
    ASSIGN_OR_RETURN(ctx_.layer_options.compression, ParseCompression(o.compression));
    ctx_.layer_options.source_date_epoch = ctx_.epoch;

    frontend::CompileOptions co;
    co.file = ctx_.file;
    for (const auto& [k, v] : o.build_args) co.build_args.push_back({k, v});
    for (char** e = environ; *e; ++e) {
      std::string kv(*e);
      size_t eq = kv.find('=');
      if (eq != std::string::npos) co.environment[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    co.target = o.target;
    co.named_contexts = std::move(context_names);
    co.target_platform = ctx_.platform;
    co.build_platform = ctx_.platform;
    co.resolve_image = [this](const std::string& image, const std::string&) -> Result<frontend::BaseImageInfo> {
      ASSIGN_OR_RETURN(ResolvedImage img, ctx_.images->Resolve(image));
      frontend::BaseImageInfo info;
      if (img.config.config) {
        for (const auto& e : img.config.config->env) {
          size_t eq = e.find('=');
          info.env.push_back({e.substr(0, eq), eq == std::string::npos ? "" : e.substr(eq + 1)});
        }
        info.shell = img.config.config->shell;
        info.onbuild = img.config.config->on_build;
      }
      return info;
    };
    ASSIGN_OR_RETURN(ctx_.graph, frontend::CompileContainerfile(ctx_.text, co));
    for (const auto& w : ctx_.graph.warnings) ctx_.progress->Warning(w);

    // Event numbers (JSON progress): one sequence over the whole build, each
    // FROM counting as a step. Plain output numbers within the stage.
    ctx_.step_numbers.assign(ctx_.graph.steps.size(), 0);
    int n = 0;
    for (const auto& stage : ctx_.graph.stages) {
      ctx_.from_numbers.push_back(++n);
      for (int s : stage.steps) ctx_.step_numbers[s] = ++n;
    }
    for (size_t i = 0; i < ctx_.graph.stages.size(); ++i) ctx_.stages.push_back(std::make_unique<StageState>());
    return Status();
  }

  Status RunStages() {
    const auto& stages = ctx_.graph.stages;
    std::vector<int> state(stages.size(), 0);  // 0 waiting, 1 running, 2 done
    std::mutex mu;
    std::condition_variable cv;
    Status first_error;
    int running = 0;
    int jobs = ctx_.options->jobs > 0 ? ctx_.options->jobs : std::max(1u, std::thread::hardware_concurrency());
    std::vector<std::thread> threads;
    std::unique_lock<std::mutex> lock(mu);
    while (true) {
      bool all_done = true, started = false;
      for (size_t i = 0; i < stages.size() && first_error.ok(); ++i) {
        if (state[i] != 2) all_done = false;
        if (state[i] != 0 || running >= jobs) continue;
        bool ready = true;
        for (int d : stages[i].deps) ready &= state[d] == 2;
        if (!ready) continue;
        state[i] = 1;
        ++running;
        started = true;
        threads.emplace_back([&, i] {
          Status s = RunStage(static_cast<int>(i));
          std::lock_guard<std::mutex> l(mu);
          if (!s.ok() && first_error.ok()) first_error = s;
          state[i] = 2;
          --running;
          cv.notify_all();
        });
      }
      if (all_done || (!first_error.ok() && running == 0)) break;
      if (!started) {
        if (running == 0) {
          first_error = InternalError("build plan is stuck: a stage waits for a stage that never ran");
          break;
        }
        cv.wait(lock);
      }
    }
    lock.unlock();
    for (auto& t : threads) t.join();
    return first_error;
  }

  Status RunStage(int index) {
    const frontend::Stage& stage = ctx_.graph.stages[index];
    StageState& st = *ctx_.stages[index];
    ctx_.progress->Step({stage.name, index + 1, static_cast<int>(ctx_.graph.stages.size()), 1,
                         static_cast<int>(stage.steps.size()) + 1, ctx_.from_numbers[index],
                         TrimmedOriginal(stage.original)});
    frontend::BaseKind base_kind = stage.base_kind;
    std::string base_image = stage.base_image;
    if (stage.original_index == 0 && !ctx_.options->from.empty()) {
      // --from: the first stage starts from this image whatever its FROM says.
      base_kind = frontend::BaseKind::kImage;
      base_image = ctx_.options->from;
    }
    switch (base_kind) {
      case frontend::BaseKind::kScratch:
        st.config.set_platform(ctx_.platform);
        st.config.config.emplace();
        st.key = KeyOf({{"v", 1}, {"base", "scratch"}, {"platform", ctx_.platform.ToString()}});
        break;
      case frontend::BaseKind::kStage: {
        const StageState& base = *ctx_.stages[stage.base_stage];
        st.config = base.config;
        st.layers = base.layers;
        st.key = base.key;
        break;
      }
      case frontend::BaseKind::kImage: {
        auto img = ctx_.images->Resolve(base_image);
        if (!img.ok()) return Located(stage.location.line, img.status());
        st.config = img->config;
        // Its ONBUILD triggers run as this stage's first steps (the frontend
        // inserted them); the new image does not pass them on.
        if (st.config.config) st.config.config->on_build.clear();
        st.layers = img->layers;
        st.base_name = img->name;
        st.base_digest = img->manifest_desc.digest.ToString();
        st.key = KeyOf({{"v", 1}, {"base", img->manifest_desc.digest.ToString()}});
        break;
      }
    }
    if (!st.config.config) st.config.config.emplace();
    if (!ctx_.options->env.empty()) {
      // --env: as an ENV right after FROM, in every stage (and in the keys).
      auto& env = st.config.config->env;
      for (const std::string& kv : ctx_.options->env) {
        std::string key = kv.substr(0, kv.find('='));
        std::erase_if(env, [&](const std::string& e) { return e.substr(0, e.find('=')) == key; });
        env.push_back(kv);
      }
      st.key = KeyOf({{"v", 1}, {"parent", st.key.ToString()}, {"env", ctx_.options->env}});
    }
    if (ctx_.options->stage_labels) AddStageLabels(stage, base_kind, base_image, st);
    bool squash = ctx_.options->squash && index == ctx_.graph.target;
    bool use_cache = ctx_.options->layers && !ctx_.options->no_cache && !squash;
    for (const auto& f : ctx_.options->no_cache_filter)
      if (f == stage.name || f == std::to_string(stage.original_index)) use_cache = false;
    st.squash = squash;
    for (int step : stage.steps) {
      Status s = RunStep(step, st, use_cache);
      if (!s.ok()) return Located(ctx_.graph.steps[step].location.line, s);
    }
    if (squash) {
      RETURN_IF_ERROR(internal::SquashStage(ctx_, st));
      st.squash = false;
      st.tree_current = false;
    }
    if (ctx_.options->save_stages && index != ctx_.graph.target && !stage.steps.empty()) {
      // --save-stages: an intermediate stage with instructions is kept as an
      // untagged image (a stage that is only FROM makes none).
      std::lock_guard<std::mutex> l(save_mu_);
      auto id = internal::CommitStageImage(ctx_, st);
      if (!id.ok()) return Located(stage.location.line, id.status().Annotate("saving stage"));
      st.saved_image_id = id->hex();
    }
    return Status();
  }

  // --stage-labels: io.buildah.stage.name (the alias, else the stage's
  // position) and io.buildah.stage.base (the FROM image as written after ARG
  // expansion, the saved image id of a base stage, or "scratch"), applied as
  // a LABEL instruction right after FROM: in the config, the history and the
  // cache key.
  void AddStageLabels(const frontend::Stage& stage, frontend::BaseKind base_kind, const std::string& base_image,
                      StageState& st) {
    std::string name = stage.name.empty() ? std::to_string(stage.original_index) : stage.name;
    std::string base = "scratch";
    if (base_kind == frontend::BaseKind::kImage) {
      base = base_image;
    } else if (base_kind == frontend::BaseKind::kStage) {
      const StageState& from = *ctx_.stages[stage.base_stage];
      const frontend::Stage& from_stage = ctx_.graph.stages[stage.base_stage];
      base = !from.saved_image_id.empty() ? from.saved_image_id
             : !from_stage.name.empty()   ? from_stage.name
                                          : std::to_string(from_stage.original_index);
    }
    auto& labels = st.config.config->labels;
    labels[kStageNameLabel] = name;
    labels[kStageBaseLabel] = base;
    oci::HistoryEntry h;
    h.created = ctx_.created;
    h.created_by = std::string("/bin/sh -c #(nop) LABEL \"") + kStageBaseLabel + "\"=\"" + base + "\" \"" +
                   kStageNameLabel + "\"=\"" + name + "\"";
    h.empty_layer = true;
    st.config.history.push_back(std::move(h));
    st.key = KeyOf({{"v", 1}, {"parent", st.key.ToString()}, {"stage-labels", {name, base}}});
  }

  Status RunStep(int step, StageState& st, bool use_cache) {
    const frontend::Step& s = ctx_.graph.steps[step];
    int number = ctx_.step_numbers[step];
    const frontend::Stage& stage = ctx_.graph.stages[s.stage];
    int in_stage = number - ctx_.from_numbers[s.stage] + 1;
    ctx_.progress->Step({stage.name, s.stage + 1, static_cast<int>(ctx_.graph.stages.size()), in_stage,
                         static_cast<int>(stage.steps.size()) + 1, number, TrimmedOriginal(frontend::StepDisplay(s))});
    auto t0 = std::chrono::steady_clock::now();
    auto inputs_or = internal::StepInputs(ctx_, step);
    if (!inputs_or.ok()) return ExplainNamedContextMiss(step, inputs_or.status());
    std::string inputs = std::move(*inputs_or);
    nlohmann::json record = {{"v", 1},
                             {"parent", st.key.ToString()},
                             {"kind", std::string(frontend::StepKindName(s.kind))},
                             {"created_by", HistoryCreatedBy(ctx_.graph, step)},
                             {"inputs", inputs},
                             {"platform", ctx_.platform.ToString()},
                             {"epoch", ctx_.epoch ? std::to_string(*ctx_.epoch) : ""},
                             {"compression", ctx_.options->compression}};
    Digest key = KeyOf(record);
    if (use_cache && ctx_.options->cache_ttl_ms) {
      // --cache-ttl: an entry stored longer ago is a miss (and is replaced).
      auto age = ctx_.cache->AgeMs(key);
      if (age && *age > *ctx_.options->cache_ttl_ms) {
        ctx_.progress->CacheMiss(number, key.ToString(), "cached result is older than --cache-ttl");
        use_cache = false;
      }
    }
    if (use_cache) {
      if (auto hit = ctx_.cache->Lookup(key)) {
        st.config = std::move(hit->config);
        st.layers = std::move(hit->layers);
        st.key = key;
        st.tree_current = false;
        ApplyStageFlags(step, st);
        std::lock_guard<std::mutex> l(ctx_.count_mu);
        ++ctx_.steps_cached;
        ctx_.progress->CacheHit(number, key.ToString());
        return Status();
      }
      ctx_.progress->CacheMiss(number, key.ToString(), "no cached result");
    }
    RusageMeter meter;  // --log-rusage: every executed step, as buildah
    if (IsMetadataOnly(s.kind)) {
      RETURN_IF_ERROR(ApplyMetadataStep(ctx_.graph, step, &st.config, &st.cfg));
      oci::HistoryEntry h;
      h.created = ctx_.created;
      h.created_by = HistoryCreatedBy(ctx_.graph, step);
      h.empty_layer = true;
      st.config.history.push_back(std::move(h));
    } else {
      switch (s.kind) {
        case StepKind::kRun: RETURN_IF_ERROR(internal::ExecuteRun(ctx_, step, st)); break;
        case StepKind::kCopy:
        case StepKind::kAdd: RETURN_IF_ERROR(internal::ExecuteCopy(ctx_, step, st)); break;
        case StepKind::kWorkdir:
          RETURN_IF_ERROR(ApplyMetadataStep(ctx_.graph, step, &st.config, &st.cfg));
          RETURN_IF_ERROR(internal::ExecuteWorkdir(ctx_, step, st));
          break;
        case StepKind::kVolume: RETURN_IF_ERROR(internal::ExecuteVolume(ctx_, step, st)); break;
        default: return InternalError("unexpected step kind");
      }
    }
    if (ctx_.options->log_rusage) RETURN_IF_ERROR(LogRusage(meter.Line()));
    st.config.created = ctx_.created;
    st.key = key;
    // A squashed stage defers every change to one final layer, so its steps'
    // states are not what their keys mean: they are never cached.
    if (ctx_.options->layers && !st.squash) ctx_.cache->Store(key, {st.config, st.layers}).IgnoreError();
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ctx_.progress->Done(number, secs);
    return Status();
  }

  // A COPY --from=<directory context> source that matches nothing, in
  // buildah's words (scripts match "no items matching glob").
  Status ExplainNamedContextMiss(int step, const Status& s) {
    const frontend::Step& st = ctx_.graph.steps[step];
    if (s.code() != StatusCode::kNotFound || (st.kind != StepKind::kCopy && st.kind != StepKind::kAdd)) return s;
    const auto& op = std::get<frontend::CopyOp>(st.op);
    const NamedContext* nc = internal::DirContext(ctx_, op.from);
    if (nc == nullptr) return s;
    std::string source;
    const std::string& m = s.message();
    if (size_t at = m.find("COPY source "); at != std::string::npos) {
      size_t start = at + 12, colon = m.find(':', start);
      source = m.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    }
    return NotFoundError("building at STEP \"" + TrimmedOriginal(st.original) + "\": no items matching glob \"" +
                         source + "\" in build context \"" + nc->name + "\" (" + nc->dir + "): " + m);
  }

  // --log-rusage: to stdout with the step's output, or appended to
  // --rusage-logfile.
  Status LogRusage(const std::string& line) {
    const std::string& file = ctx_.options->rusage_logfile;
    if (file.empty()) {
      ctx_.progress->Info(line);
      return Status();
    }
    std::lock_guard<std::mutex> lock(ctx_.count_mu);
    UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
    if (!fd.valid()) return ErrnoToStatus(errno, "--rusage-logfile " + file);
    return WriteAll(fd.get(), line + "\n");
  }

  // Facts a cached step leaves behind that the config alone doesn't carry.
  void ApplyStageFlags(int step, StageState& st) {
    if (ctx_.graph.steps[step].kind == StepKind::kCmd) st.cfg.cmd_set_in_stage = true;
  }

  Status Located(int line, const Status& s) {
    if (s.ok()) return s;
    return s.Annotate(ctx_.file + ":" + std::to_string(line));
  }

  static std::string TrimmedOriginal(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r')) text.pop_back();
    if (text.size() > 400) text = text.substr(0, 400) + "…";
    return text;
  }

  void Cleanup() {
    for (auto& st : ctx_.stages) {
      if (st && st->tree) {
        st->tree->Close().IgnoreError();
        st->tree.reset();
      }
    }
    for (auto& [ref, tree] : ctx_.image_trees) tree->Close().IgnoreError();
    ctx_.image_trees.clear();
  }

  BuildContext ctx_;
};

}  // namespace

Result<BuildOutcome> RunBuild(const BuildOptions& options, const std::string& store_root, Progress& progress,
                              int* run_exit_code) {
  Builder builder(options, store_root, progress);
  auto out = builder.Run();
  if (run_exit_code) *run_exit_code = builder.run_exit_code();
  return out;
}

}  // namespace shale
