// ImportTarStreamToSink: the store-independent half of layer_import.h.
#include <vector>

#include "storage/layer_import.h"
#include "storage/layer_stream.h"
#include "storage/tar_reader.h"

namespace shale {

Result<LayerInfo> ImportTarStreamToSink(int fd, ByteSink& out, const LayerWriterOptions& options) {
  ASSIGN_OR_RETURN(auto reader, TarReader::Open(fd, options.limits));
  ASSIGN_OR_RETURN(auto stream, LayerStream::Create(&out, options));
  std::vector<char> buf(1 << 20);
  TarEntry e;
  while (true) {
    ASSIGN_OR_RETURN(bool more, reader->Next(&e));
    if (!more) break;
    // The root directory itself ("./") carries no content a layer can apply
    // portably; tools disagree on it, so it is dropped.
    if (e.path.empty()) continue;
    e.mtime = stream->ClampTime(e.mtime);
    RETURN_IF_ERROR(stream->tar().WriteHeader(e));
    if (e.type != TarType::kFile) continue;
    int64_t got = 0;
    while (true) {
      ASSIGN_OR_RETURN(size_t n, reader->Read(buf.data(), buf.size()));
      if (n == 0) break;
      got += static_cast<int64_t>(n);
      if (got > e.size) return DataLossError("tar entry \"" + e.path + "\" has more data than its size");
      RETURN_IF_ERROR(stream->tar().WriteData(buf.data(), n));
    }
    if (got != e.size) return DataLossError("tar entry \"" + e.path + "\" is truncated");
  }
  return stream->Finish();
}

}  // namespace shale
