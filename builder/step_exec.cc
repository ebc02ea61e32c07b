// Filesystem steps: RUN through the isolation backend, COPY/ADD through
// copy_step, WORKDIR; and committing what they changed as a layer.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "base/log.h"
#include "builder/build_state.h"
#include "builder/copy_step.h"
#include "builder/dir_steps.h"
#include "builder/run_flags.h"
#include "registry/curl_transport.h"
#include "runtime/select.h"
#include "runtime/user_lookup.h"
#include "storage/oci/json.h"
#include "storage/snapshot_paths.h"
#include "base/safe_path.h"

namespace shale::internal {
namespace {

using frontend::StepKind;

constexpr char kDefaultPath[] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

std::string RealPathOfFd(int fd) {
  char buf[4096];
  std::string link = "/proc/self/fd/" + std::to_string(fd);
  ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
  if (n <= 0) return "";
  return std::string(buf, static_cast<size_t>(n));
}

std::string RandomHex() {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return buf;
}

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

// Resolves `source` inside the directory `root` (in-root) to a host path.
Result<std::string> ResolvedHostPath(const std::string& root, const std::string& source) {
  UniqueFd root_fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root_fd.valid()) return ErrnoToStatus(errno, "open " + root);
  ASSIGN_OR_RETURN(UniqueFd fd, OpenInRoot(root_fd.get(), source.empty() ? "." : source, O_PATH));
  std::string path = RealPathOfFd(fd.get());
  if (path.empty()) return InternalError("cannot name the mount source " + source);
  return path;
}

// Secret files and the like live here for the duration of a step.
// A RUN step's private files (secrets, heredoc pipes), made on first use
// under <root>/shale/tmp and removed when the step ends.
class StepScratch {
 public:
  explicit StepScratch(const std::string& store_root) : store_root_(store_root) {}
  ~StepScratch() { dir_.RemoveAndRelease().IgnoreError(); }
  Result<std::string> Dir() {
    if (dir_.path().empty()) {
      ASSIGN_OR_RETURN(dir_, NewScratchDir(store_root_, "step"));
    }
    return dir_.path();
  }

 private:
  std::string store_root_;
  StateDir dir_;
};

// A mount target as written may be relative: buildah takes it from WORKDIR.
std::string MountTarget(const std::string& target, const std::string& workdir) {
  if (target.empty() || target[0] == '/') return target;
  std::string base = workdir.empty() ? "/" : workdir;
  if (base.back() != '/') base += '/';
  return base + target;
}

Result<std::vector<runtime::MountSpec>> PlanMounts(BuildContext& ctx, const frontend::RunOp& run,
                                                   const std::string& workdir, StepScratch& scratch,
                                                   std::vector<UniqueFd>& locks) {
  std::vector<runtime::MountSpec> out;
  for (const auto& m : run.mounts) {
    runtime::MountSpec spec;
    spec.target = MountTarget(m.target, workdir);
    switch (m.type) {
      case frontend::MountType::kBind: {
        std::string root;
        if (m.from.empty()) {
          root = ctx.context_dir;
        } else if (const NamedContext* nc = DirContext(ctx, m.from)) {
          root = nc->dir;
        } else if (m.from_stage >= 0) {
          ASSIGN_OR_RETURN(root, StageRootfs(ctx, m.from_stage));
        } else {
          ASSIGN_OR_RETURN(root, ImageRootfs(ctx, m.from));
        }
        ASSIGN_OR_RETURN(spec.source, ResolvedHostPath(root, m.source));
        spec.readonly = m.readonly;
        break;
      }
      case frontend::MountType::kCache: {
        // Cache ids are hashed: an id can never name a path (SECURITY.md §5).
        std::string dir = ctx.store_root + "/shale/cache-mounts/" + Digest::Sha256(m.id).hex();
        bool fresh = ::access(dir.c_str(), F_OK) != 0;
        RETURN_IF_ERROR(MakeDirs(dir));
        if (fresh) {
          ::chmod(dir.c_str(), m.mode ? static_cast<mode_t>(*m.mode) : 0755);
          if (::chown(dir.c_str(), m.uid.value_or(0), m.gid.value_or(0)) != 0 && errno != EPERM)
            return ErrnoToStatus(errno, "chown cache mount " + m.id);
        }
        if (m.sharing == frontend::CacheSharing::kLocked) {
          UniqueFd lock(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
          if (!lock.valid() || ::flock(lock.get(), LOCK_EX) != 0) return ErrnoToStatus(errno, "lock cache " + m.id);
          locks.push_back(std::move(lock));
        }
        if (!m.source.empty()) {
          ASSIGN_OR_RETURN(spec.source, ResolvedHostPath(dir, m.source));
        } else {
          spec.source = dir;
        }
        spec.readonly = m.readonly;
        break;
      }
      case frontend::MountType::kTmpfs:
        spec.type = runtime::MountSpec::Type::kTmpfs;
        if (m.size_bytes > 0) spec.tmpfs_options = "size=" + std::to_string(m.size_bytes);
        break;
      case frontend::MountType::kSecret: {
        const SecretSpec* found = nullptr;
        for (const auto& s : ctx.options->secrets)
          if (s.id == m.id) found = &s;
        if (found == nullptr) {
          if (m.required) return NotFoundError("secret required but no secret with id \"" + m.id + "\" found (--secret)");
          continue;
        }
        std::string content;
        if (!found->env.empty()) {
          const char* v = std::getenv(found->env.c_str());
          content = v ? v : "";
        } else {
          ASSIGN_OR_RETURN(content, ReadFileCapped(found->src, 1 << 20));
        }
        ASSIGN_OR_RETURN(std::string dir, scratch.Dir());
        std::string file = dir + "/secret-" + RandomHex();
        RETURN_IF_ERROR(WriteFileAtomic(file, content, static_cast<int>(m.mode.value_or(0400))));
        if (::chown(file.c_str(), m.uid.value_or(0), m.gid.value_or(0)) != 0 && errno != EPERM)
          return ErrnoToStatus(errno, "chown secret");
        spec.source = file;
        spec.readonly = true;
        break;
      }
      case frontend::MountType::kSsh:
        if (m.required) return UnimplementedError("RUN --mount=type=ssh is not supported yet");
        continue;
    }
    out.push_back(std::move(spec));
  }
  return out;
}

// COPY --exclude patterns as a matcher (dockerignore syntax); none: nullopt.
Result<std::optional<frontend::IgnoreMatcher>> ExcludeMatcher(const frontend::CopyOp& op) {
  if (op.excludes.empty()) return std::optional<frontend::IgnoreMatcher>();
  std::vector<std::string> patterns;
  for (const auto& p : op.excludes) patterns.push_back(frontend::CleanPath(p));
  auto m = frontend::IgnoreMatcher::Compile(patterns);
  if (!m.ok()) return m.status().Annotate("--exclude");
  return std::optional<frontend::IgnoreMatcher>(std::move(*m));
}

// True when the step's sources are http(s) URLs (ADD only; not mixed with
// local files for now).
Result<bool> CheckUrlSources(const frontend::Step& s) {
  const auto& op = std::get<frontend::CopyOp>(s.op);
  bool url = false, local = false;
  for (const auto& src : op.sources) {
    if (src.rfind("git@", 0) == 0 || (IsUrlSource(src) && src.ends_with(".git")))
      return UnimplementedError("ADD of a git repository (" + src + ") is not supported yet");
    if (IsUrlSource(src)) {
      if (s.kind != StepKind::kAdd) return InvalidArgumentError("COPY cannot take a URL (" + src + "); use ADD");
      url = true;
    } else {
      local = true;
    }
  }
  if (url && local) return UnimplementedError("ADD of URLs and local files in one instruction is not supported yet");
  if (url && !op.from.empty()) return InvalidArgumentError("ADD --from cannot take a URL");
  return url;
}

// ADD --checksum for a local source: one regular file whose content has
// that digest. Checked on every build, cache hit or not.
Status VerifyChecksum(const CopySourceRoot& root, const std::vector<CopySourceItem>& items,
                      const frontend::CopyOp& op) {
  ASSIGN_OR_RETURN(Digest want, Digest::Parse(op.checksum));
  if (items.size() != 1 || !op.inline_sources.empty() || !S_ISREG(items[0].st.st_mode))
    return InvalidArgumentError("ADD --checksum needs exactly one source file");
  ASSIGN_OR_RETURN(UniqueFd fd, OpenInRoot(root.root_fd, items[0].rel, O_RDONLY));
  if (want.algorithm() != "sha256") return UnimplementedError("ADD --checksum: only sha256 is supported");
  Digester d;
  char buf[1 << 16];
  while (true) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoToStatus(errno, "read " + items[0].rel);
    if (n == 0) break;
    d.Update(std::string_view(buf, static_cast<size_t>(n)));
  }
  Digest got = d.Finish();
  if (got != want)
    return DataLossError("ADD --checksum: " + items[0].rel + " has " + got.ToString() + ", want " + want.ToString());
  return Status();
}

// Where a COPY/ADD step reads from, opened once for both its cache key
// (StepInputs) and its execution (ExecuteCopy). `url_dir` holds the step's
// downloads when its sources are URLs. `from_key` identifies a non-context
// source for the key: a stage's key, an image's manifest digest, or
// "context:NAME" for a --build-context directory (whose content is hashed).
struct CopySource {
  CopySourceRoot root;
  UniqueFd from_fd;
  std::vector<std::string> sources;
  std::optional<frontend::IgnoreMatcher> exclude;
  std::string from_key;
};

Status OpenCopySource(BuildContext& ctx, const frontend::Step& s, bool from_urls, const std::string& url_dir,
                      CopySource& out) {
  const auto& op = std::get<frontend::CopyOp>(s.op);
  out.sources = op.sources;
  CopySourceRoot& root = out.root;
  auto open_dir = [&](const std::string& dir) -> Status {
    out.from_fd = UniqueFd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!out.from_fd.valid()) return ErrnoToStatus(errno, "open " + dir);
    root.root_fd = out.from_fd.get();
    return Status();
  };
  if (from_urls) {
    if (url_dir.empty()) return InternalError("ADD: the downloads of this step are missing");
    RETURN_IF_ERROR(open_dir(url_dir));
    out.sources.clear();
    for (const auto& url : op.sources) out.sources.push_back(UrlFileName(url));
  } else if (op.from.empty()) {
    root.root_fd = ctx.context_fd.get();
    root.is_context = true;
    root.ignore = ctx.ignore ? &*ctx.ignore : nullptr;
    root.hasher = ctx.hasher.get();
  } else if (const NamedContext* nc = DirContext(ctx, op.from)) {
    out.from_key = "context:" + nc->name;
    root.root_fd = nc->fd.get();
    root.is_context = true;
    root.ignore = nc->ignore ? &*nc->ignore : nullptr;
  } else if (op.from_stage >= 0) {
    // Not the stage's key: the copied content (hashed below) decides, so a
    // rebuilt stage with the same files still hits.
    out.from_key = "stage";
    ASSIGN_OR_RETURN(std::string rootfs, StageRootfs(ctx, op.from_stage));
    RETURN_IF_ERROR(open_dir(rootfs));
  } else {
    ASSIGN_OR_RETURN(ResolvedImage img, ctx.images->Resolve(op.from));
    out.from_key = img.manifest_desc.digest.ToString();
    ASSIGN_OR_RETURN(std::string rootfs, ImageRootfs(ctx, op.from));
    RETURN_IF_ERROR(open_dir(rootfs));
  }
  if (root.root_fd < 0) return InternalError("cannot open the COPY source root");
  ASSIGN_OR_RETURN(out.exclude, ExcludeMatcher(op));
  if (out.exclude) root.exclude = &*out.exclude;
  return Status();
}

// COPY/ADD --chown through the destination's /etc/passwd and /etc/group,
// failing with buildah's wording ("looking up UID/GID for ...").
Result<runtime::UserIds> ChownIds(const std::string& rootfs, const std::string& chown) {
  Result<runtime::UserIds> ids = runtime::LookupUser(rootfs, chown);
  if (ids.ok()) return ids;
  std::string prefix = "looking up UID/GID for \"" + chown + "\": ";
  std::string_view msg = ids.status().message();
  size_t colon = chown.find(':');
  if (ids.status().code() == StatusCode::kNotFound && msg.find("group") != std::string_view::npos) {
    std::string group = colon == std::string::npos ? "" : chown.substr(colon + 1);
    return Status(ids.status().code(), prefix + "can't find gid for group " + group + ": " + std::string(msg));
  }
  std::string user = chown.substr(0, colon);
  return Status(ids.status().code(), prefix + "can't find uid for user " + user + ": " + std::string(msg));
}

std::string EnvValue(const std::vector<std::string>& env, const std::string& key) {
  for (const auto& e : env)
    if (e.compare(0, key.size() + 1, key + "=") == 0) return e.substr(key.size() + 1);
  return "";
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
  (void)EnvValue;
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
    nlohmann::json heredocs = nlohmann::json::array();
    for (const auto& h : run.heredocs) heredocs.push_back(Digest::Sha256(h.content).ToString());
    j["heredocs"] = heredocs;
  }
  return oci::CanonicalJson(j);
}

}  // namespace shale::internal
