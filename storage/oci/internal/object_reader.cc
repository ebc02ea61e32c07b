#include "storage/oci/internal/object_reader.h"

#include <limits>
#include <utility>

namespace shale::oci::internal {

using nlohmann::json;

ObjectReader::ObjectReader(const json& object, std::string path) : object_(object), path_(std::move(path)) {}

std::string ObjectReader::Path(const char* key) const { return path_.empty() ? key : path_ + "." + key; }

Status ObjectReader::CheckObject() const {
  if (!object_.is_object())
    return InvalidArgumentError((path_.empty() ? std::string("document") : path_) + ": must be a JSON object");
  return Status();
}

const json* ObjectReader::Raw(const char* key) {
  read_.insert(key);
  if (!object_.is_object()) return nullptr;
  auto it = object_.find(key);
  if (it == object_.end() || it->is_null()) return nullptr;
  return &*it;
}

static Status Missing(const std::string& path) { return InvalidArgumentError(path + ": required field missing"); }

Status ObjectReader::String(const char* key, std::string* out, bool required) {
  const json* v = Raw(key);
  if (!v) return required ? Missing(Path(key)) : Status();
  if (!v->is_string()) return InvalidArgumentError(Path(key) + ": must be a string");
  *out = v->get<std::string>();
  return Status();
}

Status ObjectReader::Int(const char* key, int64_t* out, bool required) {
  const json* v = Raw(key);
  if (!v) return required ? Missing(Path(key)) : Status();
  if (v->is_number_unsigned()) {
    uint64_t u = v->get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      return InvalidArgumentError(Path(key) + ": integer out of range");
    *out = static_cast<int64_t>(u);
    return Status();
  }
  if (!v->is_number_integer()) return InvalidArgumentError(Path(key) + ": must be an integer");
  *out = v->get<int64_t>();
  return Status();
}

Status ObjectReader::Bool(const char* key, bool* out) {
  const json* v = Raw(key);
  if (!v) return Status();
  if (!v->is_boolean()) return InvalidArgumentError(Path(key) + ": must be a boolean");
  *out = v->get<bool>();
  return Status();
}

static Status ReadStrings(const json& v, const std::string& path, std::vector<std::string>* out) {
  if (!v.is_array()) return InvalidArgumentError(path + ": must be an array of strings");
  out->clear();
  out->reserve(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string())
      return InvalidArgumentError(path + "[" + std::to_string(i) + "]: must be a string");
    out->push_back(v[i].get<std::string>());
  }
  return Status();
}

Status ObjectReader::StringList(const char* key, std::vector<std::string>* out, bool required) {
  const json* v = Raw(key);
  if (!v) return required ? Missing(Path(key)) : Status();
  return ReadStrings(*v, Path(key), out);
}

Status ObjectReader::OptStringList(const char* key, std::optional<std::vector<std::string>>* out) {
  const json* v = Raw(key);
  if (!v) {
    out->reset();
    return Status();
  }
  std::vector<std::string> list;
  RETURN_IF_ERROR(ReadStrings(*v, Path(key), &list));
  *out = std::move(list);
  return Status();
}

Status ObjectReader::StringMap(const char* key, std::map<std::string, std::string>* out) {
  const json* v = Raw(key);
  if (!v) return Status();
  if (!v->is_object()) return InvalidArgumentError(Path(key) + ": must be an object of strings");
  out->clear();
  for (auto it = v->begin(); it != v->end(); ++it) {
    if (!it->is_string()) return InvalidArgumentError(Path(key) + "[\"" + it.key() + "\"]: must be a string");
    (*out)[it.key()] = it->get<std::string>();
  }
  return Status();
}

Status ObjectReader::KeySet(const char* key, std::set<std::string>* out) {
  const json* v = Raw(key);
  if (!v) return Status();
  if (!v->is_object()) return InvalidArgumentError(Path(key) + ": must be an object of objects");
  out->clear();
  for (auto it = v->begin(); it != v->end(); ++it) {
    if (!it->is_object() && !it->is_null())
      return InvalidArgumentError(Path(key) + "[\"" + it.key() + "\"]: must be an object");
    out->insert(it.key());
  }
  return Status();
}

json ObjectReader::Extra() const {
  json extra = json::object();
  if (!object_.is_object()) return extra;
  for (auto it = object_.begin(); it != object_.end(); ++it) {
    if (!read_.count(it.key())) extra[it.key()] = *it;
  }
  return extra;
}

void MergeExtra(const json& extra, json* out) {
  if (!extra.is_object()) return;
  for (auto it = extra.begin(); it != extra.end(); ++it) {
    if (!out->contains(it.key())) (*out)[it.key()] = *it;
  }
}

}  // namespace shale::oci::internal
