#include "storage/layer_stream.h"

#include <cstdlib>

namespace shale {

std::string_view LayerMediaType(Compression compression) {
  switch (compression) {
    case Compression::kNone: return media_type::kOciLayer;
    case Compression::kGzip: return media_type::kOciLayerGzip;
    case Compression::kZstd: return media_type::kOciLayerZstd;
  }
  return media_type::kOciLayer;
}

Result<Compression> ParseCompression(std::string_view name) {
  if (name == "gzip") return Compression::kGzip;
  if (name == "zstd") return Compression::kZstd;
  if (name == "none" || name == "uncompressed") return Compression::kNone;
  return InvalidArgumentError("unknown compression \"" + std::string(name) + "\" (gzip, zstd, none)");
}

std::optional<int64_t> SourceDateEpochFromEnv() {
  const char* v = std::getenv("SOURCE_DATE_EPOCH");
  if (v == nullptr || *v == '\0') return std::nullopt;
  char* end = nullptr;
  long long n = std::strtoll(v, &end, 10);
  if (*end != '\0' || n < 0) return std::nullopt;
  return static_cast<int64_t>(n);
}

LayerStream::LayerStream(ByteSink* out, const LayerWriterOptions& options)
    : options_(options), compressed_(out), tar_(nullptr) {}

Result<std::unique_ptr<LayerStream>> LayerStream::Create(ByteSink* out, const LayerWriterOptions& options) {
  std::unique_ptr<LayerStream> s(new LayerStream(out, options));
  ASSIGN_OR_RETURN(s->compressor_,
                   NewCompressingSink(options.compression, options.level, options.threads, &s->compressed_));
  s->uncompressed_ = std::make_unique<HashingSink>(s->compressor_.get());
  s->tar_ = TarWriter(s->uncompressed_.get());
  return s;
}

Result<LayerInfo> LayerStream::Finish() {
  RETURN_IF_ERROR(tar_.Finish());
  RETURN_IF_ERROR(compressor_->Finish());
  LayerInfo info;
  info.uncompressed_size = static_cast<int64_t>(uncompressed_->bytes());
  info.diff_id = uncompressed_->Finish();
  info.descriptor.media_type = std::string(LayerMediaType(options_.compression));
  info.descriptor.size = static_cast<int64_t>(compressed_.bytes());
  info.descriptor.digest = compressed_.Finish();
  return info;
}

}  // namespace shale
