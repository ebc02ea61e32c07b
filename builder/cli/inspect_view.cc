#include "builder/cli/inspect_view.h"

#include "storage/oci/json.h"

namespace shale::cli {
namespace {

using Json = nlohmann::ordered_json;

void Default(Json& obj, const char* key, Json value) {
  if (!obj.contains(key) || obj[key].is_null()) obj[key] = std::move(value);
}

// The container config with every field the Go struct has.
Json FullContainerConfig(const nlohmann::json& in) {
  Json c = in.is_object() ? Json(in) : Json::object();
  Default(c, "User", "");
  Default(c, "ExposedPorts", Json::object());
  Default(c, "Env", Json::array());
  Default(c, "Entrypoint", Json::array());
  Default(c, "Cmd", Json::array());
  Default(c, "Volumes", Json::object());
  Default(c, "WorkingDir", "");
  Default(c, "Labels", Json::object());
  Default(c, "StopSignal", "");
  Default(c, "OnBuild", Json::array());
  Default(c, "Shell", Json::array());
  return c;
}

Json FullImage(const nlohmann::json& doc) {
  Json o = doc.is_object() ? Json(doc) : Json::object();
  Default(o, "created", "");
  Default(o, "author", "");
  Default(o, "architecture", "");
  Default(o, "os", "");
  Default(o, "os.version", "");
  Default(o, "os.features", Json::array());
  Default(o, "variant", "");
  o["config"] = FullContainerConfig(doc.contains("config") ? doc["config"] : nlohmann::json());
  Json rootfs = o.contains("rootfs") && o["rootfs"].is_object() ? o["rootfs"] : Json::object();
  Default(rootfs, "type", "layers");
  Default(rootfs, "diff_ids", Json::array());
  o["rootfs"] = rootfs;
  Default(o, "history", Json::array());
  for (Json& h : o["history"]) {
    if (!h.is_object()) continue;
    Default(h, "created", "");
    Default(h, "created_by", "");
    Default(h, "author", "");
    Default(h, "comment", "");
    Default(h, "empty_layer", false);
  }
  return o;
}

}  // namespace

GoTemplateData InspectTemplateView(const nlohmann::json& details, const ImageSummary& s, const std::string& name) {
  GoTemplateData d;
  d.map_fields = {"Labels", "ExposedPorts", "Volumes", "ImageAnnotations", "Annotations"};
  d.root = Json(details);
  nlohmann::json config = oci::ParseJson(s.config_bytes, "config").value_or(nlohmann::json::object());
  Json oci = FullImage(config);
  Json docker = oci;
  docker["container_config"] = docker["config"];
  Default(docker, "docker_version", "");
  Default(docker, "comment", "");
  Default(docker, "parent", "");
  Default(docker, "container", "");
  docker["size"] = s.size;
  d.root["Type"] = "buildah 0.0.1";
  d.root["FromImage"] = name;
  d.root["FromImageID"] = s.id.hex();
  d.root["FromImageDigest"] = s.manifest_descriptor.digest.ToString();
  d.root["Manifest"] = s.manifest_bytes;
  d.root["Docker"] = docker;
  d.root["OCIv1"] = oci;
  d.root["ImageAnnotations"] = Json(s.manifest.annotations);
  d.root["History"] = oci["history"];
  return d;
}

}  // namespace shale::cli
