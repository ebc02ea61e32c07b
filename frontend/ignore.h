// .containerignore / .dockerignore: which file applies, how it is read, and
// the matcher (moby/patternmatcher semantics, evaluated with RE2).
//
// Pattern semantics: each pattern is trimmed and path-cleaned; a leading `!`
// makes it an exception. Globs: `*` any run of non-'/' characters, `?` one
// non-'/' character, `[...]`/`[^...]` classes, `\` escapes, `**` any number
// of path components (also none); a pattern ending in `**` matches everything
// below. Patterns are applied in order: a path is excluded when the last
// pattern that matches it, or one of its parent directories, is a normal
// pattern; an exception only applies once the path is excluded.
//
// Every pattern is compiled once; matching a path costs O(patterns x path
// length x depth) with no backtracking.
#ifndef SHALE_FRONTEND_IGNORE_H_
#define SHALE_FRONTEND_IGNORE_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace shale::frontend {

// Where to look for the ignore file, in buildah's order:
//   1. `ignorefile` (--ignorefile), when non-empty;
//   2. <containerfile>.containerignore, 3. <containerfile>.dockerignore
//      (a relative containerfile path is taken relative to the context);
//   4. <context>/.containerignore, 5. <context>/.dockerignore.
struct IgnoreFileQuery {
  std::string ignorefile;
  std::string containerfile;
  std::string context_dir;
};
std::vector<std::string> IgnoreFileCandidates(const IgnoreFileQuery& query);
// The first candidate for which exists() is true; --ignorefile is returned
// even when exists() is false (the caller reports it missing). Empty: none.
std::string ChooseIgnoreFile(const IgnoreFileQuery& query, const std::function<bool(const std::string&)>& exists);

// The patterns of an ignore file's text: BOM and `#` comment lines dropped,
// lines trimmed, empty lines dropped, each pattern cleaned and made relative
// (`/a/../b` -> `b`), `!` kept in front. At most kMaxIgnorePatterns.
Result<std::vector<std::string>> ReadIgnorePatterns(std::string_view text);

// filepath.Clean: collapse `//`, drop `.`, resolve `..`; "" -> ".".
std::string CleanPath(std::string_view path);

class IgnoreMatcher {
 public:
  // Fails with InvalidArgument naming the pattern when a pattern is malformed
  // (`[`, `a[`, `[]a]`, `[x-]`, a trailing `\`, a bare `!`, or a class RE2
  // rejects such as `[z-a]`).
  static Result<IgnoreMatcher> Compile(const std::vector<std::string>& patterns);

  IgnoreMatcher(IgnoreMatcher&&) noexcept;
  IgnoreMatcher& operator=(IgnoreMatcher&&) noexcept;
  ~IgnoreMatcher();

  // True when `path` (slash-separated, relative to the context root) is
  // excluded from the context.
  bool Matches(std::string_view path) const;
  // True when some pattern is an exception (`!...`).
  bool HasExceptions() const;
  // True when the directory `dir` is excluded and no exception can re-include
  // anything below it, so a walker may skip it without descending. False means
  // "descend and ask Matches() per entry" (it is conservative).
  bool CanSkipDir(std::string_view dir) const;
  size_t size() const;

 private:
  struct Impl;
  explicit IgnoreMatcher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace shale::frontend

#endif  // SHALE_FRONTEND_IGNORE_H_
