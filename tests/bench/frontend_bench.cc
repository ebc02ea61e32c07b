// Parses and compiles a generated 10,000-line Containerfile with 100 stages
// and reports time and peak memory against the 100 ms goal.
//   frontend_bench [iterations]
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "frontend/parser.h"
#include "frontend/stage_compiler.h"

namespace {

double CpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

long MaxRssKb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

// 100 stages x 100 lines; each stage copies from the previous one, so the
// last stage (the default target) needs all of them.
std::string Generate(int stages, int lines_per_stage, int* lines_out) {
  std::string out = "# syntax=docker/dockerfile:1\nARG BASE=debian:12\nARG VERSION=1.0\n";
  int lines = 3;
  for (int s = 0; s < stages; ++s) {
    out += "FROM ${BASE} AS stage" + std::to_string(s) + "\n";
    ++lines;
    int n = 1;
    while (n < lines_per_stage) {
      switch (n % 10) {
        case 1: out += "ARG VERSION\n"; break;
        case 2: out += "ENV APP_HOME=/opt/app" + std::to_string(s) + " PATH=/opt/bin:$PATH V=${VERSION}\n"; break;
        case 3: out += "WORKDIR ${APP_HOME}/src\n"; break;
        case 4:
          out += "RUN --mount=type=cache,target=/var/cache/apt apt-get update && \\\n";
          ++n;
          ++lines;
          out += "    apt-get install -y curl ca-certificates\n";
          break;
        case 5: out += "LABEL org.opencontainers.image.version=\"${V}\" stage=\"" + std::to_string(s) + "\"\n"; break;
        case 6:
          out += s > 0 ? "COPY --from=stage" + std::to_string(s - 1) + " --chown=1000:1000 /opt/app /opt/prev\n"
                       : "COPY --chown=1000:1000 . /opt/app\n";
          break;
        case 7: out += "EXPOSE 8080 8443/tcp\n"; break;
        case 8: out += "USER 1000:1000\n"; break;
        case 9: out += "RUN [\"/bin/sh\", \"-c\", \"echo ${APP_HOME:-none} > /tmp/x\"]\n"; break;
        default: out += "COPY <<EOF /etc/app.conf\n"; out += "home=${APP_HOME}\n"; out += "EOF\n"; n += 2; lines += 2; break;
      }
      ++n;
      ++lines;
    }
  }
  *lines_out = lines;
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  using Clock = std::chrono::steady_clock;
  int iterations = argc > 1 ? std::atoi(argv[1]) : 20;
  int lines = 0;
  std::string text = Generate(100, 100, &lines);
  long rss_before = MaxRssKb();
  std::vector<double> parse_ms, total_ms, cpu_ms;
  size_t steps = 0, stages = 0;
  for (int i = 0; i < iterations; ++i) {
    double c0 = CpuMs();
    auto t0 = Clock::now();
    auto ast = shale::frontend::Parse(text, "bench");
    auto t1 = Clock::now();
    if (!ast.ok()) {
      std::fprintf(stderr, "parse failed: %s\n", ast.status().ToString().c_str());
      return 1;
    }
    shale::frontend::CompileOptions opts;
    opts.build_args = {{"VERSION", "2.0"}};
    auto graph = shale::frontend::CompileAst(*ast, text, opts);
    auto t2 = Clock::now();
    cpu_ms.push_back(CpuMs() - c0);
    if (!graph.ok()) {
      std::fprintf(stderr, "compile failed: %s\n", graph.status().ToString().c_str());
      return 1;
    }
    steps = graph->steps.size();
    stages = graph->stages.size();
    parse_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    total_ms.push_back(std::chrono::duration<double, std::milli>(t2 - t0).count());
  }
  std::sort(parse_ms.begin(), parse_ms.end());
  std::sort(total_ms.begin(), total_ms.end());
  std::sort(cpu_ms.begin(), cpu_ms.end());
  double median = total_ms[total_ms.size() / 2];
  long rss_after = MaxRssKb();
  std::printf("frontend_bench: %d lines, %zu bytes, %zu stages, %zu steps, %d iterations\n", lines, text.size(),
              stages, steps, iterations);
  std::printf("  parse        median %.2f ms  (min %.2f)\n", parse_ms[parse_ms.size() / 2], parse_ms[0]);
  std::printf("  parse+compile median %.2f ms  (min %.2f, max %.2f)\n", median, total_ms[0], total_ms.back());
  std::printf("  parse+compile CPU time median %.2f ms (min %.2f) - robust on a loaded machine\n",
              cpu_ms[cpu_ms.size() / 2], cpu_ms[0]);
  std::printf("  peak RSS %ld KiB (process), %ld KiB above the state before the first parse\n", rss_after,
              rss_after - rss_before);
  std::printf("  goal 100 ms: wall median is %.3fx, CPU median %.3fx of the goal\n", median / 100.0,
              cpu_ms[cpu_ms.size() / 2] / 100.0);
  return 0;
}
