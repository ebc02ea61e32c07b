#include "builder/copy_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "base/digest.h"
#include "base/safe_path.h"
#include "builder/url_source.h"

namespace shale::internal {
namespace {

using frontend::StepKind;

// COPY --exclude patterns as a matcher (dockerignore syntax); none: nullopt.
Result<std::optional<frontend::IgnoreMatcher>> ExcludeMatcher(const frontend::CopyOp& op) {
  if (op.excludes.empty()) return std::optional<frontend::IgnoreMatcher>();
  std::vector<std::string> patterns;
  for (const auto& p : op.excludes) patterns.push_back(frontend::CleanPath(p));
  auto m = frontend::IgnoreMatcher::Compile(patterns);
  if (!m.ok()) return m.status().Annotate("--exclude");
  return std::optional<frontend::IgnoreMatcher>(std::move(*m));
}

}  // namespace

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

}  // namespace shale::internal
