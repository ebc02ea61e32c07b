// ByteSink: where a stream of bytes goes (a blob writer, a file, a hasher, a
// socket). Lets producers (layer writer, registry download) stay ignorant of
// the destination.
#ifndef SHALE_BASE_BYTE_SINK_H_
#define SHALE_BASE_BYTE_SINK_H_

#include <cstddef>
#include <string_view>

#include "base/status.h"

namespace shale {

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  // Accepts all len bytes or fails; after a failure the sink is unusable.
  virtual Status Write(const void* data, size_t len) = 0;
  Status Write(std::string_view data) { return Write(data.data(), data.size()); }
};

}  // namespace shale

#endif  // SHALE_BASE_BYTE_SINK_H_
