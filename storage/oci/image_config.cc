#include "storage/oci/image_config.h"

#include <ctime>
#include <utility>

#include "storage/oci/internal/object_reader.h"
#include "storage/oci/json.h"

namespace shale::oci {

using nlohmann::json;
using internal::ObjectReader;

namespace {

Status CheckTimestamp(const std::string& value, const std::string& path) {
  if (value.empty()) return Status();
  auto t = ParseRfc3339(value);
  if (!t.ok()) return t.status().Annotate(path);
  return Status();
}

Result<HealthConfig> HealthFromJson(const json& j) {
  ObjectReader r(j, "config.Healthcheck");
  RETURN_IF_ERROR(r.CheckObject());
  HealthConfig h;
  RETURN_IF_ERROR(r.StringList("Test", &h.test));
  RETURN_IF_ERROR(r.Int("Interval", &h.interval));
  RETURN_IF_ERROR(r.Int("Timeout", &h.timeout));
  RETURN_IF_ERROR(r.Int("StartPeriod", &h.start_period));
  RETURN_IF_ERROR(r.Int("StartInterval", &h.start_interval));
  int64_t retries = 0;
  RETURN_IF_ERROR(r.Int("Retries", &retries));
  if (retries < INT32_MIN || retries > INT32_MAX) return InvalidArgumentError("config.Healthcheck.Retries: out of range");
  h.retries = static_cast<int>(retries);
  h.extra = r.Extra();
  return h;
}

json HealthToJson(const HealthConfig& h) {
  json j = json::object();
  if (!h.test.empty()) j["Test"] = h.test;
  if (h.interval) j["Interval"] = h.interval;
  if (h.timeout) j["Timeout"] = h.timeout;
  if (h.start_period) j["StartPeriod"] = h.start_period;
  if (h.start_interval) j["StartInterval"] = h.start_interval;
  if (h.retries) j["Retries"] = h.retries;
  internal::MergeExtra(h.extra, &j);
  return j;
}

Result<ContainerConfig> ContainerFromJson(const json& j) {
  ObjectReader r(j, "config");
  RETURN_IF_ERROR(r.CheckObject());
  ContainerConfig c;
  RETURN_IF_ERROR(r.String("User", &c.user));
  RETURN_IF_ERROR(r.KeySet("ExposedPorts", &c.exposed_ports));
  RETURN_IF_ERROR(r.StringList("Env", &c.env));
  for (size_t i = 0; i < c.env.size(); ++i) {
    size_t eq = c.env[i].find('=');
    if (eq == std::string::npos || eq == 0)
      return InvalidArgumentError("config.Env[" + std::to_string(i) + "]: want KEY=value, got \"" +
                                  c.env[i].substr(0, 200) + "\"");
  }
  RETURN_IF_ERROR(r.OptStringList("Entrypoint", &c.entrypoint));
  RETURN_IF_ERROR(r.OptStringList("Cmd", &c.cmd));
  RETURN_IF_ERROR(r.KeySet("Volumes", &c.volumes));
  RETURN_IF_ERROR(r.String("WorkingDir", &c.working_dir));
  RETURN_IF_ERROR(r.StringMap("Labels", &c.labels));
  RETURN_IF_ERROR(r.String("StopSignal", &c.stop_signal));
  RETURN_IF_ERROR(r.Bool("ArgsEscaped", &c.args_escaped));
  if (const json* h = r.Raw("Healthcheck")) {
    ASSIGN_OR_RETURN(HealthConfig hc, HealthFromJson(*h));
    c.healthcheck = std::move(hc);
  }
  RETURN_IF_ERROR(r.StringList("OnBuild", &c.on_build));
  RETURN_IF_ERROR(r.StringList("Shell", &c.shell));
  c.extra = r.Extra();
  return c;
}

json SetToJson(const std::set<std::string>& keys) {
  json j = json::object();
  for (const std::string& k : keys) j[k] = json::object();
  return j;
}

json ContainerToJson(const ContainerConfig& c) {
  json j = json::object();
  if (!c.user.empty()) j["User"] = c.user;
  if (!c.exposed_ports.empty()) j["ExposedPorts"] = SetToJson(c.exposed_ports);
  if (!c.env.empty()) j["Env"] = c.env;
  if (c.entrypoint) j["Entrypoint"] = *c.entrypoint;
  if (c.cmd) j["Cmd"] = *c.cmd;
  if (!c.volumes.empty()) j["Volumes"] = SetToJson(c.volumes);
  if (!c.working_dir.empty()) j["WorkingDir"] = c.working_dir;
  if (!c.labels.empty()) j["Labels"] = c.labels;
  if (!c.stop_signal.empty()) j["StopSignal"] = c.stop_signal;
  if (c.args_escaped) j["ArgsEscaped"] = true;
  if (c.healthcheck) j["Healthcheck"] = HealthToJson(*c.healthcheck);
  if (!c.on_build.empty()) j["OnBuild"] = c.on_build;
  if (!c.shell.empty()) j["Shell"] = c.shell;
  internal::MergeExtra(c.extra, &j);
  return j;
}

Result<RootFs> RootFsFromJson(const json& j) {
  ObjectReader r(j, "rootfs");
  RETURN_IF_ERROR(r.CheckObject());
  RootFs fs;
  RETURN_IF_ERROR(r.String("type", &fs.type, true));
  if (fs.type != "layers") return InvalidArgumentError("rootfs.type: must be \"layers\", got \"" + fs.type.substr(0, 100) + "\"");
  std::vector<std::string> ids;
  RETURN_IF_ERROR(r.StringList("diff_ids", &ids, true));
  for (size_t i = 0; i < ids.size(); ++i) {
    auto d = Digest::Parse(ids[i]);
    if (!d.ok()) return d.status().Annotate("rootfs.diff_ids[" + std::to_string(i) + "]");
    fs.diff_ids.push_back(std::move(d).value());
  }
  fs.extra = r.Extra();
  return fs;
}

Result<HistoryEntry> HistoryFromJson(const json& j, const std::string& path) {
  ObjectReader r(j, path);
  RETURN_IF_ERROR(r.CheckObject());
  HistoryEntry h;
  RETURN_IF_ERROR(r.String("created", &h.created));
  RETURN_IF_ERROR(CheckTimestamp(h.created, path + ".created"));
  RETURN_IF_ERROR(r.String("created_by", &h.created_by));
  RETURN_IF_ERROR(r.String("author", &h.author));
  RETURN_IF_ERROR(r.String("comment", &h.comment));
  RETURN_IF_ERROR(r.Bool("empty_layer", &h.empty_layer));
  h.extra = r.Extra();
  return h;
}

json HistoryToJson(const HistoryEntry& h) {
  json j = json::object();
  if (!h.created.empty()) j["created"] = h.created;
  if (!h.created_by.empty()) j["created_by"] = h.created_by;
  if (!h.author.empty()) j["author"] = h.author;
  if (!h.comment.empty()) j["comment"] = h.comment;
  if (h.empty_layer) j["empty_layer"] = true;
  internal::MergeExtra(h.extra, &j);
  return j;
}

Result<ImageConfig> ConfigFromJson(const json& j) {
  ObjectReader r(j, "");
  RETURN_IF_ERROR(r.CheckObject());
  ImageConfig c;
  RETURN_IF_ERROR(r.String("architecture", &c.architecture, true));
  RETURN_IF_ERROR(r.String("os", &c.os, true));
  RETURN_IF_ERROR(r.String("variant", &c.variant));
  RETURN_IF_ERROR(r.String("os.version", &c.os_version));
  RETURN_IF_ERROR(r.StringList("os.features", &c.os_features));
  RETURN_IF_ERROR(r.String("created", &c.created));
  RETURN_IF_ERROR(CheckTimestamp(c.created, "created"));
  RETURN_IF_ERROR(r.String("author", &c.author));
  if (const json* cfg = r.Raw("config")) {
    ASSIGN_OR_RETURN(ContainerConfig cc, ContainerFromJson(*cfg));
    c.config = std::move(cc);
  }
  const json* rootfs = r.Raw("rootfs");
  if (!rootfs) return InvalidArgumentError("rootfs: required field missing");
  ASSIGN_OR_RETURN(c.rootfs, RootFsFromJson(*rootfs));
  if (const json* history = r.Raw("history")) {
    if (!history->is_array()) return InvalidArgumentError("history: must be an array");
    for (size_t i = 0; i < history->size(); ++i) {
      ASSIGN_OR_RETURN(HistoryEntry h, HistoryFromJson((*history)[i], "history[" + std::to_string(i) + "]"));
      c.history.push_back(std::move(h));
    }
  }
  c.extra = r.Extra();
  return c;
}

// Days since 1970-01-01 of a proleptic Gregorian date.
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

}  // namespace

Platform ImageConfig::platform() const {
  Platform p;
  p.os = os;
  p.architecture = architecture;
  p.variant = variant;
  p.os_version = os_version;
  p.os_features = os_features;
  return p;
}

void ImageConfig::set_platform(const Platform& p) {
  os = p.os;
  architecture = p.architecture;
  variant = p.variant;
  os_version = p.os_version;
  os_features = p.os_features;
}

Result<ImageConfig> ParseImageConfig(std::string_view bytes) {
  ASSIGN_OR_RETURN(json j, ParseJson(bytes, "image config"));
  auto c = ConfigFromJson(j);
  if (!c.ok()) return c.status().Annotate("image config");
  return c;
}

json ImageConfigToJson(const ImageConfig& c) {
  json j = json::object();
  j["architecture"] = c.architecture;
  j["os"] = c.os;
  if (!c.variant.empty()) j["variant"] = c.variant;
  if (!c.os_version.empty()) j["os.version"] = c.os_version;
  if (!c.os_features.empty()) j["os.features"] = c.os_features;
  if (!c.created.empty()) j["created"] = c.created;
  if (!c.author.empty()) j["author"] = c.author;
  if (c.config) j["config"] = ContainerToJson(*c.config);
  json rootfs = json::object();
  rootfs["type"] = c.rootfs.type;
  json ids = json::array();
  for (const Digest& d : c.rootfs.diff_ids) ids.push_back(d.ToString());
  rootfs["diff_ids"] = std::move(ids);
  internal::MergeExtra(c.rootfs.extra, &rootfs);
  j["rootfs"] = std::move(rootfs);
  if (!c.history.empty()) {
    json history = json::array();
    for (const HistoryEntry& h : c.history) history.push_back(HistoryToJson(h));
    j["history"] = std::move(history);
  }
  internal::MergeExtra(c.extra, &j);
  return j;
}

std::string SerializeImageConfig(const ImageConfig& config) { return CanonicalJson(ImageConfigToJson(config)); }

std::string FormatRfc3339(int64_t seconds) {
  time_t t = static_cast<time_t>(seconds);
  struct tm tm;
  if (!gmtime_r(&t, &tm)) return "1970-01-01T00:00:00Z";
  char buf[64];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<int64_t> ParseRfc3339(std::string_view s) {
  auto bad = [&] {
    return InvalidArgumentError("invalid RFC 3339 timestamp \"" + std::string(s.substr(0, 80)) + "\"");
  };
  auto digits = [&](size_t pos, size_t n, int* out) {
    if (pos + n > s.size()) return false;
    int v = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
  };
  int y, mo, d, h, mi, se;
  if (!digits(0, 4, &y) || s.size() < 20 || s[4] != '-' || !digits(5, 2, &mo) || s[7] != '-' ||
      !digits(8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(11, 2, &h) || s[13] != ':' ||
      !digits(14, 2, &mi) || s[16] != ':' || !digits(17, 2, &se))
    return bad();
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return bad();
  size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start) return bad();
  }
  int64_t offset = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!digits(pos + 1, 2, &oh) || pos + 3 >= s.size() || s[pos + 3] != ':' || !digits(pos + 4, 2, &om) ||
        oh > 23 || om > 59)
      return bad();
    offset = (oh * 3600 + om * 60) * (s[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return bad();
  }
  if (pos != s.size()) return bad();
  return DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - offset;
}

}  // namespace shale::oci
