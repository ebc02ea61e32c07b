// What the store commands (images, inspect, tag, rmi, prune, check, import)
// share: opening the store, turning user-typed names into stored names and
// images, and summarising an image for display.
#ifndef SHALE_BUILDER_CLI_IMAGE_LOOKUP_H_
#define SHALE_BUILDER_CLI_IMAGE_LOOKUP_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "base/status.h"
#include "builder/cli/command.h"
#include "storage/image_store.h"
#include "storage/oci/image_config.h"
#include "storage/oci/manifest.h"

namespace shale::cli {

// Opens (creating if needed) the store at StoreRoot(global).
Result<std::unique_ptr<ImageStore>> OpenStore(const GlobalOptions& global);

// A new local name as podman spells it: no registry -> "localhost/",
// no tag -> ":latest". InvalidArgument for a malformed name.
Result<std::string> NormalizeNewName(std::string_view text);

// Finds what the user means: the name as typed, its normalised forms
// (localhost/…, docker.io/library/…), a stored name whose repository ends in
// "/<text>" with the same tag, then an image id or digest (prefix).
// `*by_name` (optional) is set to the stored name when matched by name, or
// cleared when matched by id. NotFound: "image not known: <text>".
Result<ImageRecord> LookupImage(const ImageStore& store, std::string_view text, std::string* by_name = nullptr);

// An image opened for display: for an index, the entry for the host platform
// (or the first present one).
struct ImageSummary {
  Digest id;                      // config digest (index digest for an index without a local child)
  Descriptor top;                 // what index.json points at
  Descriptor manifest_descriptor; // the platform manifest
  std::string manifest_bytes;
  oci::Manifest manifest;
  std::string config_bytes;
  oci::ImageConfig config;
  int64_t size = 0;      // config + layers as stored (compressed)
  int64_t created = 0;   // unix seconds; 0 when unknown
};
Result<ImageSummary> Summarize(const ImageStore& store, const ImageRecord& record);

// "localhost/a:1" -> {"localhost/a", "1"}; a digest reference keeps "<none>" as tag.
std::pair<std::string, std::string> SplitName(const std::string& name);
// 1234567 -> "1.23 MB" (SI units, 3 significant digits, as podman prints).
std::string HumanSize(int64_t bytes);
// Seconds in the past -> "2 hours ago", "About a minute ago" …
std::string HumanAgo(int64_t then, int64_t now);

}  // namespace shale::cli

#endif  // SHALE_BUILDER_CLI_IMAGE_LOOKUP_H_
