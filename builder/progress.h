// Progress: what `shale build` tells the user, as plain lines readable in a
// GitLab job log or as one JSON object per event (--progress json).
//
// plain:  STEP 3/9: RUN go build …
//         <the step's output>
//         --> Using cache 3f2a…           (or --> 1.24s)
//         COMMIT registry/api:1
//         --> 9b1c…
// json:   {"event":"step","stage":"builder","step":3,"total":9,"instruction":"RUN …"}
//         {"event":"cache","step":3,"hit":true,"key":"sha256:…"}
//         {"event":"output","step":3,"stream":"stdout","data":"…"}
//         {"event":"done","step":3,"seconds":1.24}
//         {"event":"commit","names":[…],"id":"sha256:…"}
//         {"event":"error","message":"…","location":"Containerfile:7"}
// Thread-safe: stages run concurrently; each event is written whole.
#ifndef SHALE_BUILDER_PROGRESS_H_
#define SHALE_BUILDER_PROGRESS_H_

#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

namespace shale {

enum class ProgressMode { kPlain, kJson, kQuiet };

class Progress {
 public:
  // Writes to `out` (not owned). Quiet prints only the final image id and errors.
  Progress(ProgressMode mode, std::FILE* out);

  ProgressMode mode() const { return mode_; }
  // One step as shown: plain output as buildah prints it,
  // "[stage_number/stage_count] STEP step/total: instruction" with `step`
  // counted within the stage (its FROM is 1) and the "[…] " tag only in a
  // multi-stage build. JSON events carry `event`, a number unique in the
  // build, which the step's output/cache/done events repeat.
  struct StepLine {
    std::string stage;
    int stage_number = 1, stage_count = 1;
    int step = 1, total = 1;
    int event = 0;
    std::string instruction;
  };
  void Step(const StepLine& line);
  void CacheHit(int step, const std::string& key);
  void CacheMiss(int step, const std::string& key, const std::string& why);
  // Raw output of a RUN step; in plain mode passed through unchanged.
  void Output(int step, const std::string& stream, const std::string& data);
  void Done(int step, double seconds);
  void Warning(const std::string& message);
  void Commit(const std::vector<std::string>& names, const std::string& image_id);
  void Error(const std::string& message, const std::string& location);
  void Info(const std::string& line);

 private:
  void Emit(const std::string& plain, const std::string& json);

  ProgressMode mode_;
  std::FILE* out_;
  std::mutex mu_;
};

}  // namespace shale

#endif  // SHALE_BUILDER_PROGRESS_H_
