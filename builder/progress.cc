#include "builder/progress.h"

#include <nlohmann/json.hpp>

namespace shale {

using nlohmann::json;

Progress::Progress(ProgressMode mode, std::FILE* out) : mode_(mode), out_(out) {}

void Progress::Emit(const std::string& plain, const std::string& js) {
  std::lock_guard<std::mutex> lock(mu_);
  if (mode_ == ProgressMode::kPlain && !plain.empty()) {
    std::fputs(plain.c_str(), out_);
  } else if (mode_ == ProgressMode::kJson && !js.empty()) {
    std::fputs(js.c_str(), out_);
    std::fputc('\n', out_);
  }
  std::fflush(out_);
}

void Progress::Step(const StepLine& l) {
  json j = {{"event", "step"}, {"step", l.event},        {"stage", l.stage},
            {"stage_number", l.stage_number}, {"stages", l.stage_count},
            {"in_stage", l.step},            {"in_stage_total", l.total}, {"instruction", l.instruction}};
  std::string tag;
  if (l.stage_count > 1) tag = "[" + std::to_string(l.stage_number) + "/" + std::to_string(l.stage_count) + "] ";
  Emit(tag + "STEP " + std::to_string(l.step) + "/" + std::to_string(l.total) + ": " + l.instruction + "\n",
       j.dump(-1, ' ', false, json::error_handler_t::replace));
}

void Progress::CacheHit(int step, const std::string& key) {
  json j = {{"event", "cache"}, {"step", step}, {"hit", true}, {"key", key}};
  // As buildah: the full id, then the short one on a line of its own (the
  // same line a step that ran ends with).
  std::string hex = key.rfind("sha256:", 0) == 0 ? key.substr(7) : key;
  Emit("--> Using cache " + hex + "\n--> " + hex.substr(0, 12) + "\n", j.dump());
}

void Progress::CacheMiss(int step, const std::string& key, const std::string& why) {
  json j = {{"event", "cache"}, {"step", step}, {"hit", false}, {"key", key}, {"why", why}};
  Emit("", j.dump(-1, ' ', false, json::error_handler_t::replace));
}

void Progress::Output(int step, const std::string& stream, const std::string& data) {
  if (mode_ == ProgressMode::kPlain) {
    std::lock_guard<std::mutex> lock(mu_);
    std::fwrite(data.data(), 1, data.size(), out_);
    std::fflush(out_);
    return;
  }
  json j = {{"event", "output"}, {"step", step}, {"stream", stream}, {"data", data}};
  Emit("", j.dump(-1, ' ', false, json::error_handler_t::replace));
}

void Progress::Done(int step, double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2fs", seconds);
  json j = {{"event", "done"}, {"step", step}, {"seconds", seconds}};
  Emit(std::string("--> ") + buf + "\n", j.dump());
}

void Progress::Warning(const std::string& message) {
  json j = {{"event", "warning"}, {"message", message}};
  if (mode_ == ProgressMode::kQuiet) {
    std::lock_guard<std::mutex> lock(mu_);
    std::fprintf(stderr, "WARN: %s\n", message.c_str());
    return;
  }
  Emit("WARN: " + message + "\n", j.dump(-1, ' ', false, json::error_handler_t::replace));
}

void Progress::Commit(const std::vector<std::string>& names, const std::string& image_id) {
  json j = {{"event", "commit"}, {"names", names}, {"id", image_id}};
  // As buildah: COMMIT, the short id, one "Successfully tagged" line per
  // name, then the full id.
  std::string plain;
  for (const auto& n : names) plain += "COMMIT " + n + "\n";
  if (names.empty()) plain += "COMMIT\n";
  std::string hex = image_id.rfind("sha256:", 0) == 0 ? image_id.substr(7) : image_id;
  plain += "--> " + hex.substr(0, 12) + "\n";
  for (const auto& n : names) plain += "Successfully tagged " + n + "\n";
  plain += hex + "\n";
  if (mode_ == ProgressMode::kQuiet) {
    std::lock_guard<std::mutex> lock(mu_);
    std::fprintf(out_, "%s\n", hex.c_str());
    std::fflush(out_);
    return;
  }
  Emit(plain, j.dump(-1, ' ', false, json::error_handler_t::replace));
}

void Progress::Error(const std::string& message, const std::string& location) {
  json j = {{"event", "error"}, {"message", message}, {"location", location}};
  if (mode_ == ProgressMode::kJson) {
    Emit("", j.dump(-1, ' ', false, json::error_handler_t::replace));
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  std::fprintf(stderr, "Error: %s%s%s\n", location.empty() ? "" : location.c_str(),
               location.empty() ? "" : ": ", message.c_str());
}

void Progress::Info(const std::string& line) {
  json j = {{"event", "info"}, {"message", line}};
  Emit(line + "\n", j.dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace shale
