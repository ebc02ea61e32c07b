#include "storage/layer_import.h"

namespace shale {

Result<LayerInfo> ImportTarStream(int fd, BlobStore& store, const LayerWriterOptions& options) {
  ASSIGN_OR_RETURN(auto writer, store.NewWriter());
  auto info = ImportTarStreamToSink(fd, *writer, options);
  if (!info.ok()) {
    writer->Abort();
    return info.status().Annotate("importing tar stream");
  }
  ASSIGN_OR_RETURN(Descriptor committed, writer->Commit(info->descriptor.digest, info->descriptor.size));
  (void)committed;
  return info;
}

}  // namespace shale
