// Filesystem steps: RUN through the isolation backend, COPY/ADD through
// copy_step, WORKDIR; and committing what they changed as a layer.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <thread>

#include <nlohmann/json.hpp>

#include "base/log.h"
#include "base/safe_path.h"
#include "builder/build_state.h"
#include "builder/copy_source.h"
#include "builder/copy_step.h"
#include "builder/dir_steps.h"
#include "builder/run_flags.h"
#include "builder/run_mounts.h"
#include "registry/curl_transport.h"
#include "runtime/select.h"
#include "runtime/user_lookup.h"
#include "storage/oci/json.h"
#include "storage/snapshot_paths.h"

namespace shale::internal {
namespace {

using frontend::StepKind;

constexpr char kDefaultPath[] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

Result<runtime::IsolationBackend*> Backend(BuildContext& ctx) {
  std::lock_guard<std::mutex> lock(ctx.backend_mu);
  if (!ctx.backend) {
    ASSIGN_OR_RETURN(runtime::Isolation iso, runtime::SelectIsolationFromEnvironment(ctx.options->isolation));
    runtime::BackendOptions bo;
    bo.oci_runtime = ctx.options->runtime;
    ASSIGN_OR_RETURN(ctx.backend, runtime::MakeBackend(iso, bo));
  }
  return ctx.backend.get();
}

bool HasEnv(const std::vector<std::string>& env, const std::string& key) {
  for (const auto& e : env)
    if (e.compare(0, key.size() + 1, key + "=") == 0) return true;
  return false;
}

}  // namespace

std::vector<ParentLayer> ChainOf(const oci::ImageConfig& config, const std::vector<Descriptor>& layers) {
  std::vector<ParentLayer> chain;
  for (size_t i = 0; i < layers.size(); ++i) chain.push_back(ParentLayer{config.rootfs.diff_ids[i], layers[i]});
  return chain;
}

OpenBlobFn BlobOpener(ImageStore& store) {
  return [&store](const Descriptor& blob) { return store.blobs().OpenBlob(blob.digest); };
}

Status EnsureTree(BuildContext& ctx, StageState& state) {
  std::lock_guard<std::mutex> lock(state.tree_mu);
  if (state.tree && state.tree_current) return Status();
  if (state.tree) {
    state.tree->Close().IgnoreError();
    state.tree.reset();
  }
  ASSIGN_OR_RETURN(state.tree, ctx.snapshotter->Prepare(ChainOf(state.config, state.layers), BlobOpener(*ctx.store)));
  state.tree_current = true;
  return Status();
}

Status CommitStep(BuildContext& ctx, int step, StageState& state, const std::vector<std::string>& exclude) {
  if (state.squash) {
    oci::HistoryEntry h;
    h.created = ctx.created;
    h.created_by = HistoryCreatedBy(ctx.graph, step);
    h.empty_layer = true;
    state.config.history.push_back(std::move(h));
    state.squash_history = static_cast<int>(state.config.history.size()) - 1;
    for (const auto& p : exclude) {
      if (std::find(state.squash_exclude.begin(), state.squash_exclude.end(), p) == state.squash_exclude.end())
        state.squash_exclude.push_back(p);
    }
    return Status();
  }
  DiffOptions diff_options;
  diff_options.exclude = exclude;
  ASSIGN_OR_RETURN(Changes changes, state.tree->Diff(diff_options));
  oci::HistoryEntry h;
  h.created = ctx.created;
  h.created_by = HistoryCreatedBy(ctx.graph, step);
  if (changes.entries.empty()) {
    RETURN_IF_ERROR(state.tree->Rebase());
    h.empty_layer = true;
    state.config.history.push_back(std::move(h));
    return Status();
  }
  ASSIGN_OR_RETURN(auto writer, ctx.store->blobs().NewWriter());
  ASSIGN_OR_RETURN(LayerInfo info, state.tree->Commit(changes, ctx.layer_options, *writer));
  ASSIGN_OR_RETURN(Descriptor blob, writer->Commit(info.descriptor.digest, info.descriptor.size));
  if (ctx.lease) ctx.lease->Pin(blob.digest).IgnoreError();
  blob.media_type = info.descriptor.media_type;
  state.layers.push_back(blob);
  state.config.rootfs.diff_ids.push_back(info.diff_id);
  state.config.history.push_back(std::move(h));
  return Status();
}

Status SquashStage(BuildContext& ctx, StageState& state) {
  if (!state.tree) return Status();  // nothing ran
  DiffOptions diff_options;
  diff_options.exclude = state.squash_exclude;
  ASSIGN_OR_RETURN(Changes changes, state.tree->Diff(diff_options));
  if (changes.entries.empty()) return Status();
  ASSIGN_OR_RETURN(auto writer, ctx.store->blobs().NewWriter());
  ASSIGN_OR_RETURN(LayerInfo info, state.tree->Commit(changes, ctx.layer_options, *writer));
  ASSIGN_OR_RETURN(Descriptor blob, writer->Commit(info.descriptor.digest, info.descriptor.size));
  if (ctx.lease) ctx.lease->Pin(blob.digest).IgnoreError();
  blob.media_type = info.descriptor.media_type;
  state.layers.push_back(blob);
  state.config.rootfs.diff_ids.push_back(info.diff_id);
  // The layer belongs to the last filesystem step's history entry.
  if (state.squash_history >= 0) state.config.history[state.squash_history].empty_layer = false;
  return Status();
}

Status ExecuteRun(BuildContext& ctx, int step, StageState& state) {
  const frontend::Step& s = ctx.graph.steps[step];
  const auto& run = std::get<frontend::RunOp>(s.op);
  RETURN_IF_ERROR(EnsureTree(ctx, state));
  ASSIGN_OR_RETURN(runtime::IsolationBackend * backend, Backend(ctx));
  const std::string& rootfs = state.tree->rootfs();
  const oci::ContainerConfig empty;
  const oci::ContainerConfig& cfg = state.config.config ? *state.config.config : empty;

  runtime::RunSpec spec;
  frontend::RunPlan plan = frontend::PlanRun(run);
  spec.args = plan.argv;
  for (const auto& kv : frontend::StepRunEnv(ctx.graph, step)) spec.env.push_back(kv.key + "=" + kv.value);
  if (!HasEnv(spec.env, "PATH")) spec.env.push_back(kDefaultPath);
  ASSIGN_OR_RETURN(runtime::UserIds ids, runtime::LookupUser(rootfs, cfg.user));
  spec.uid = ids.uid;
  spec.gid = ids.gid;
  spec.additional_gids = ids.additional_gids;
  if (!HasEnv(spec.env, "HOME")) spec.env.push_back("HOME=" + (ids.home.empty() ? "/" : ids.home));
  spec.cwd = cfg.working_dir.empty() ? "/" : cfg.working_dir;
  {
    UniqueFd root_fd(::open(rootfs.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!root_fd.valid()) return ErrnoToStatus(errno, "open rootfs");
    ASSIGN_OR_RETURN(UniqueFd cwd, OpenDirInRoot(root_fd.get(), spec.cwd, /*create=*/true));
  }
  spec.rootfs = rootfs;
  spec.hostname = "shale";
  std::string network = run.network != "default" ? run.network : ctx.options->network;
  spec.network = network == "none" ? runtime::NetworkMode::kNone : runtime::NetworkMode::kHost;
  StepScratch scratch(ctx.store_root);
  std::vector<UniqueFd> locks;
  ASSIGN_OR_RETURN(spec.mounts, PlanMounts(ctx, run, spec.cwd, scratch, locks));
  RETURN_IF_ERROR(ApplyRunFlags(*ctx.options, spec));
  if (!plan.pipe_files.empty()) {
    ASSIGN_OR_RETURN(std::string dir, scratch.Dir());
    std::string pipes = dir + "/pipes";
    RETURN_IF_ERROR(MakeDirs(pipes));
    for (const auto& f : plan.pipe_files) RETURN_IF_ERROR(WriteFileAtomic(pipes + "/" + f.name, f.content, 0755));
    spec.mounts.push_back({runtime::MountSpec::Type::kBind, pipes, "/dev/pipes", true, ""});
  }

  // Output: straight through in plain/quiet mode, as events in JSON mode.
  int pipe_fds[2] = {-1, -1};
  std::thread reader;
  if (ctx.progress->mode() == ProgressMode::kJson) {
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return ErrnoToStatus(errno, "pipe");
    spec.stdout_fd = spec.stderr_fd = pipe_fds[1];
    int number = ctx.step_numbers[step];
    reader = std::thread([&ctx, fd = pipe_fds[0], number] {
      char buf[8192];
      while (true) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        ctx.progress->Output(number, "stdout", std::string(buf, static_cast<size_t>(n)));
      }
    });
  }
  auto result = backend->Run(spec);
  if (reader.joinable()) {
    ::close(pipe_fds[1]);
    reader.join();
    ::close(pipe_fds[0]);
  }
  if (!result.ok()) return result.status().Annotate("RUN");
  if (!result->success()) {
    std::string text = s.original;
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    int code = result->signal != 0 ? 128 + result->signal : result->exit_code;
    ctx.run_exit_code = code;
    return FailedPreconditionError("building at STEP \"" + text + "\": " +
                                   (result->signal != 0 ? "killed by signal " + std::to_string(result->signal)
                                                        : "exit status " + std::to_string(code)));
  }
  std::vector<std::string> exclude;
  for (auto p : runtime::ScratchPathCandidates(spec)) {
    while (!p.empty() && p[0] == '/') p.erase(0, 1);
    if (!p.empty()) exclude.push_back(p);
  }
  return CommitStep(ctx, step, state, exclude);
}

Status ExecuteCopy(BuildContext& ctx, int step, StageState& state) {
  const frontend::Step& s = ctx.graph.steps[step];
  const auto& op = std::get<frontend::CopyOp>(s.op);
  RETURN_IF_ERROR(EnsureTree(ctx, state));
  ASSIGN_OR_RETURN(bool from_urls, CheckUrlSources(s));
  CopySource src;
  RETURN_IF_ERROR(OpenCopySource(ctx, s, from_urls, from_urls ? ctx.downloads.Get(step) : "", src));
  const CopySourceRoot& root = src.root;
  ASSIGN_OR_RETURN(auto items, ResolveCopySources(root, src.sources));
  UniqueFd rootfs_fd(::open(state.tree->rootfs().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!rootfs_fd.valid()) return ErrnoToStatus(errno, "open rootfs");
  CopyTarget target;
  target.rootfs_fd = rootfs_fd.get();
  const oci::ContainerConfig empty;
  const oci::ContainerConfig& cfg = state.config.config ? *state.config.config : empty;
  target.workdir = cfg.working_dir.empty() ? "/" : cfg.working_dir;
  if (!op.chown.empty()) {
    ASSIGN_OR_RETURN(runtime::UserIds ids, ChownIds(state.tree->rootfs(), op.chown));
    target.uid = ids.uid;
    target.gid = ids.gid;
  }
  if (!op.chmod.empty()) {
    ASSIGN_OR_RETURN(target.chmod, ParseChmod(op.chmod));
  }
  RETURN_IF_ERROR(shale::ExecuteCopy(root, items, op, target, s.kind == StepKind::kAdd && !from_urls));
  return CommitStep(ctx, step, state, {});
}

Status ExecuteWorkdir(BuildContext& ctx, int step, StageState& state) {
  RETURN_IF_ERROR(EnsureTree(ctx, state));
  const std::string& dir = state.config.config->working_dir;
  UniqueFd root_fd(::open(state.tree->rootfs().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root_fd.valid()) return ErrnoToStatus(errno, "open rootfs");
  // Directories WORKDIR creates belong to the USER in effect (buildah's
  // EnsureContainerPathAs); a user the image cannot resolve means root.
  runtime::UserIds owner;
  if (!state.config.config->user.empty()) {
    auto ids = runtime::LookupUser(state.tree->rootfs(), state.config.config->user);
    if (ids.ok()) owner = *ids;
  }
  RETURN_IF_ERROR(MakeDirInRoot(root_fd.get(), dir, owner.uid, owner.gid));
  return CommitStep(ctx, step, state, {});
}

Result<std::string> StepInputs(BuildContext& ctx, int step) {
  const frontend::Step& s = ctx.graph.steps[step];
  nlohmann::json j = nlohmann::json::object();
  if (s.kind == StepKind::kCopy || s.kind == StepKind::kAdd) {
    const auto& op = std::get<frontend::CopyOp>(s.op);
    ASSIGN_OR_RETURN(bool from_urls, CheckUrlSources(s));
    std::string url_dir;
    if (from_urls) {
      ASSIGN_OR_RETURN(StateDir dir, NewScratchDir(ctx.store_root, "add"));
      url_dir = ctx.downloads.Set(step, std::move(dir));
      CurlTransport transport(TransportOptionsFromEnv());
      RETURN_IF_ERROR(DownloadUrls(transport, op.sources, url_dir, op.checksum));
      j["urls"] = op.sources;
    }
    CopySource src;
    RETURN_IF_ERROR(OpenCopySource(ctx, s, from_urls, url_dir, src));
    if (!src.from_key.empty()) j["from"] = src.from_key;
    const CopySourceRoot& root = src.root;
    ASSIGN_OR_RETURN(auto items, ResolveCopySources(root, src.sources));
    ASSIGN_OR_RETURN(Digest d, DigestCopySources(root, items, op));
    if (!op.checksum.empty()) RETURN_IF_ERROR(VerifyChecksum(root, items, op));
    j["content"] = d.ToString();
    j["excludes"] = op.excludes;
    j["link"] = op.link;
    j["parents"] = op.parents;
  } else if (s.kind == StepKind::kRun) {
    const auto& run = std::get<frontend::RunOp>(s.op);
    nlohmann::json mounts = nlohmann::json::array();
    for (const auto& m : run.mounts) {
      nlohmann::json mj = {{"type", static_cast<int>(m.type)}, {"target", m.target}, {"source", m.source},
                           {"readonly", m.readonly}, {"id", m.id}};
      const NamedContext* nc = m.from.empty() ? nullptr : DirContext(ctx, m.from);
      if (m.type == frontend::MountType::kBind && nc == nullptr) {
        if (m.from_stage >= 0) {
          mj["from"] = ctx.stages[m.from_stage]->key.ToString();
        } else if (!m.from.empty()) {
          ASSIGN_OR_RETURN(ResolvedImage img, ctx.images->Resolve(m.from));
          mj["from"] = img.manifest_desc.digest.ToString();
        } else {
          // From the context: what the step can read is part of its key.
          CopySourceRoot root;
          root.root_fd = ctx.context_fd.get();
          root.is_context = true;
          root.ignore = ctx.ignore ? &*ctx.ignore : nullptr;
          root.hasher = ctx.hasher.get();
          auto items = ResolveCopySources(root, {m.source.empty() ? "." : m.source});
          if (!items.ok()) return items.status().Annotate("RUN --mount=type=bind");
          ASSIGN_OR_RETURN(Digest d, DigestCopySources(root, *items, frontend::CopyOp{}));
          mj["content"] = d.ToString();
        }
      } else if (m.type == frontend::MountType::kBind) {
        // A --build-context directory: hashed like the main context.
        CopySourceRoot root;
        root.root_fd = nc->fd.get();
        root.is_context = true;
        root.ignore = nc->ignore ? &*nc->ignore : nullptr;
        auto items = ResolveCopySources(root, {m.source.empty() ? "." : m.source});
        if (!items.ok()) return items.status().Annotate("RUN --mount=type=bind,from=" + m.from);
        ASSIGN_OR_RETURN(Digest d, DigestCopySources(root, *items, frontend::CopyOp{}));
        mj["from"] = "context:" + nc->name;
        mj["content"] = d.ToString();
      }
      mounts.push_back(mj);
    }
    j["mounts"] = mounts;
    j["network"] = run.network;
    j["security"] = run.security;
    // Only a changed set is keyed: default builds keep their cache keys.
    if (uint64_t caps = RunCapabilities(*ctx.options); caps != runtime::kDefaultCapabilities) {
      j["capabilities"] = caps;
    }
    nlohmann::json heredocs = nlohmann::json::array();
    for (const auto& h : run.heredocs) heredocs.push_back(Digest::Sha256(h.content).ToString());
    j["heredocs"] = heredocs;
  }
  return oci::CanonicalJson(j);
}

}  // namespace shale::internal
