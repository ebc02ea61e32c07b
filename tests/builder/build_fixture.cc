#include "tests/builder/build_fixture.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include <algorithm>
#include <sstream>

namespace shale::testing {

namespace {
constexpr char kServerScript[] =
    "import http.server, os, sys\n"
    "os.chdir(sys.argv[1])\n"
    "class H(http.server.SimpleHTTPRequestHandler):\n"
    "    def log_message(self, *a): pass\n"
    "    def do_GET(self):\n"
    "        if self.path.startswith('/redirect/'):\n"
    "            self.send_response(302); self.send_header('Location', '/' + self.path[10:]); self.end_headers(); return\n"
    "        return super().do_GET()\n"
    "s = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)\n"
    "os.write(1, b'%d\\n' % s.server_address[1])\n"
    "os.dup2(os.open(os.devnull, os.O_WRONLY), 1)\n"
    "s.serve_forever()\n";
}  // namespace

StaticHttpServer::StaticHttpServer(const std::string& dir) {
  int fds[2];
  if (::pipe(fds) != 0) return;
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(fds[1], 1);
    ::close(fds[0]);
    ::close(fds[1]);
    ::execlp("python3", "python3", "-c", kServerScript, dir.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(fds[1]);
  if (pid_ < 0) {
    ::close(fds[0]);
    return;
  }
  // Read the whole line: the port is announced with one write, but a short
  // read must not leave us with half a number.
  std::string line;
  char c;
  while (line.size() < 16 && ::read(fds[0], &c, 1) == 1 && c != '\n') line.push_back(c);
  ::close(fds[0]);
  port_ = std::atoi(line.c_str());
}

StaticHttpServer::~StaticHttpServer() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
}

std::unique_ptr<ScratchDir> BuildTest::store_dir_;
std::string* BuildTest::root_path_ = nullptr;
std::string BuildTest::base_skip_;
std::string BuildTest::run_skip_;

void BuildTest::SetUpTestSuite() {
  store_dir_ = std::make_unique<ScratchDir>("shale-build-store");
  root_path_ = new std::string(store_dir_->path() + "/root");
  base_skip_ = ImportBaseImage(*root_path_, "busybox");
  if (!base_skip_.empty()) {
    base_skip_ = "no local busybox image: " + base_skip_;
    return;
  }
  // Can RUN steps run here at all (default isolation for this user)?
  ScratchDir probe("shale-build-probe");
  WriteFile(probe / "Containerfile", "FROM busybox\nRUN true\n");
  CommandResult r = shale::testing::Run({ShaleBinary(), "--root", *root_path_, "build", "-f", probe / "Containerfile",
                         "--no-cache", probe.path()});
  if (r.exit_code != 0) run_skip_ = "RUN steps cannot run here: " + r.output;
}

void BuildTest::TearDownTestSuite() {
  store_dir_.reset();
  delete root_path_;
  root_path_ = nullptr;
}

void BuildTest::SetUp() {
  if (!base_skip_.empty()) GTEST_SKIP() << base_skip_;
  scratch_ = std::make_unique<ScratchDir>("shale-build");
  shale::testing::Run({"mkdir", "-p", ctx()});
}

void BuildTest::Context(const std::string& rel, const std::string& data, int mode) const {
  WriteFile(ctx() + "/" + rel, data, mode);
}

CommandResult BuildTest::Shale(const std::vector<std::string>& args, const CommandOptions& options) const {
  std::vector<std::string> argv = {ShaleBinary(), "--root", root()};
  argv.insert(argv.end(), args.begin(), args.end());
  return shale::testing::Run(argv, options);
}

CommandResult BuildTest::Build(const std::string& containerfile, const std::vector<std::string>& args,
                               const CommandOptions& options) const {
  WriteFile(ctx() + "/Containerfile", containerfile);
  std::vector<std::string> argv = {"build", "-f", ctx() + "/Containerfile"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back(ctx());
  return Shale(argv, options);
}

nlohmann::json BuildTest::Inspect(const std::string& name) const {
  CommandResult r = shale::testing::Run({ShaleBinary(), "--root", root(), "inspect", name});
  if (r.exit_code != 0) return nullptr;
  auto j = nlohmann::json::parse(r.output, nullptr, false);
  if (j.is_discarded()) return nullptr;
  if (j.is_array()) return j.empty() ? nlohmann::json(nullptr) : j[0];
  return j;
}

bool BuildTest::ImageExists(const std::string& name) const {
  return shale::testing::Run({ShaleBinary(), "--root", root(), "inspect", name}).exit_code == 0;
}

std::string BuildTest::LayerBlob(const nlohmann::json& image, int index) const {
  const auto& layers = image.at("Layers");
  int n = static_cast<int>(layers.size());
  int i = index < 0 ? n + index : index;
  if (i < 0 || i >= n) return "";
  std::string digest = layers[i].get<std::string>();
  return root() + "/blobs/sha256/" + digest.substr(digest.find(':') + 1);
}

std::string BuildTest::LayerListing(const std::string& blob) const {
  return shale::testing::Run({"tar", "-tv", "--numeric-owner", "-f", blob}).output;
}

std::vector<std::string> BuildTest::LayerNames(const std::string& blob) const {
  std::vector<std::string> names;
  std::istringstream in(shale::testing::Run({"tar", "-t", "-f", blob}).output);
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && line.back() == '/') line.pop_back();
    if (line.rfind("./", 0) == 0) line = line.substr(2);
    if (!line.empty()) names.push_back(line);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> BuildTest::RunLayerNames(const std::string& blob) const {
  std::vector<std::string> names = LayerNames(blob);
  std::erase(names, "etc");
  return names;
}

std::string BuildTest::FileInImage(const std::string& name, const std::string& path, bool* found) const {
  if (found) *found = false;
  nlohmann::json img = Inspect(name);
  if (img.is_null()) return "";
  int n = static_cast<int>(img["Layers"].size());
  for (int i = n - 1; i >= 0; --i) {
    std::string blob = LayerBlob(img, i);
    for (const std::string& p : {path, "./" + path}) {
      CommandResult r = shale::testing::Run({"sh", "-c", "tar -xOf \"$0\" \"$1\" 2>/dev/null", blob, p});
      if (r.exit_code == 0) {
        if (found) *found = true;
        return r.output;
      }
    }
  }
  return "";
}

std::string BuildTest::AllLayerBytes(const std::string& name) const {
  nlohmann::json img = Inspect(name);
  std::string out;
  if (img.is_null()) return out;
  for (size_t i = 0; i < img["Layers"].size(); ++i) {
    out += shale::testing::Run({"sh", "-c", "zcat -f \"$0\"", LayerBlob(img, static_cast<int>(i))}).output;
  }
  return out;
}

std::string BuildTest::history_created_by(const nlohmann::json& image) {
  std::string out;
  for (const auto& h : image["History"]) out += h.value("created_by", "") + "\n";
  return out;
}

}  // namespace shale::testing
