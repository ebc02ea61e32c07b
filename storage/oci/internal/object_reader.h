// Typed, error-naming access to the fields of one JSON object, remembering
// which keys were read so the rest can be kept verbatim (`extra`).
// Every accessor treats an absent key and JSON null alike (nothing read)
// unless `required`; a wrong type is InvalidArgument "<path>.<key>: must be …".
#ifndef SHALE_STORAGE_OCI_INTERNAL_OBJECT_READER_H_
#define SHALE_STORAGE_OCI_INTERNAL_OBJECT_READER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace shale::oci::internal {

class ObjectReader {
 public:
  // `path` prefixes error messages ("config", "manifests[2]"); may be empty.
  ObjectReader(const nlohmann::json& object, std::string path);

  // InvalidArgument "<path>: must be an object" when the value is not one.
  Status CheckObject() const;

  Status String(const char* key, std::string* out, bool required = false);
  Status Int(const char* key, int64_t* out, bool required = false);
  Status Bool(const char* key, bool* out);
  Status StringList(const char* key, std::vector<std::string>* out, bool required = false);
  // Absent/null -> nullopt; array -> value.
  Status OptStringList(const char* key, std::optional<std::vector<std::string>>* out);
  Status StringMap(const char* key, std::map<std::string, std::string>* out);
  // An object whose values are objects (ExposedPorts, Volumes): its keys.
  Status KeySet(const char* key, std::set<std::string>* out);
  // Marks key as read; returns its value or nullptr when absent or null.
  const nlohmann::json* Raw(const char* key);

  // The fields no accessor read, as an object.
  nlohmann::json Extra() const;
  std::string Path(const char* key) const;

 private:
  const nlohmann::json& object_;
  std::string path_;
  std::set<std::string> read_;
};

// Copies every member of extra into out unless out already has that key.
void MergeExtra(const nlohmann::json& extra, nlohmann::json* out);

}  // namespace shale::oci::internal

#endif  // SHALE_STORAGE_OCI_INTERNAL_OBJECT_READER_H_
