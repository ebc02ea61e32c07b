// Containerfiles whose name ends in ".in" are run through the C preprocessor
// first, as buildah does: `cpp -E -iquote CONTEXT -traditional -undef -`
// with $BUILDAH_CPPFLAGS (split on blanks) and then each --cpp-flag, the file
// on stdin. When cpp fails but printed something, that output is used and its
// complaints become one warning line ("Ignoring ..."), so comment lines that
// are not directives (`# This is ...`) do not stop a build.
#ifndef SHALE_BUILDER_CONTAINERFILE_CPP_H_
#define SHALE_BUILDER_CONTAINERFILE_CPP_H_

#include <string>
#include <vector>

#include "base/status.h"

namespace shale {

bool NeedsPreprocessing(const std::string& containerfile_path);

struct PreprocessedFile {
  std::string text;
  std::string warning;  // empty when cpp succeeded
};

// `cpp` is looked up in PATH. FailedPrecondition (naming the cpp package)
// when it is absent; InvalidArgument with cpp's messages when it fails
// without output; ResourceExhausted over 16 MiB of output.
Result<PreprocessedFile> PreprocessContainerfile(const std::string& path, const std::string& context_dir,
                                                 const std::vector<std::string>& cpp_flags);

}  // namespace shale

#endif  // SHALE_BUILDER_CONTAINERFILE_CPP_H_
