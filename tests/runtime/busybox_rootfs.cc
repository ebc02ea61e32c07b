#include "tests/runtime/busybox_rootfs.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sstream>

#include "tests/testutil/subprocess.h"

namespace shale::testing {

std::string FindStaticBusybox(std::string* why) {
  for (const char* p : {"/bin/busybox", "/usr/bin/busybox"}) {
    if (access(p, X_OK) != 0) continue;
    auto r = Run({"file", "-L", p});
    if (r.exit_code == 0 && r.output.find("dynamically linked") != std::string::npos) continue;
    return p;
  }
  *why = "no static busybox on this host (apt-get install busybox-static)";
  return "";
}

std::string MakeBusyboxRootfs(const std::string& dir) {
  std::string why;
  std::string bb = FindStaticBusybox(&why);
  if (bb.empty()) return why;
  for (const char* d : {"", "/bin", "/dev", "/etc", "/home", "/home/user", "/proc", "/root", "/sys", "/tmp",
                        "/usr", "/usr/bin", "/var", "/var/tmp"}) {
    std::string p = dir + d;
    if (mkdir(p.c_str(), 0755) != 0 && errno != EEXIST) return "mkdir " + p + " failed";
  }
  chmod((dir + "/tmp").c_str(), 01777);
  chmod((dir + "/var/tmp").c_str(), 01777);
  chmod((dir + "/root").c_str(), 0700);
  auto cp = Run({"cp", bb, dir + "/bin/busybox"});
  if (cp.exit_code != 0) return "copying busybox: " + cp.output;
  auto list = Run({bb, "--list"});
  if (list.exit_code != 0) return "busybox --list failed";
  std::istringstream in(list.output + "\nsh\n");
  std::string applet;
  while (in >> applet) {
    if (applet == "busybox" || applet.find('/') != std::string::npos) continue;
    std::string link = dir + "/bin/" + applet;
    if (symlink("busybox", link.c_str()) != 0 && errno != EEXIST) return "symlink " + link + " failed";
  }
  if (chown((dir + "/home/user").c_str(), 1000, 1000) != 0) {
    // Not mapped (single-id user namespace): the fixture still works as root.
  }
  WriteFile(dir + "/etc/passwd",
            "root:x:0:0:root:/root:/bin/sh\n"
            "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
            "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
            "user:x:1000:1000:user:/home/user:/bin/sh\n");
  WriteFile(dir + "/etc/group",
            "root:x:0:\n"
            "daemon:x:1:\n"
            "tty:x:5:user\n"
            "users:x:100:user\n"
            "nogroup:x:65534:\n"
            "user:x:1000:\n");
  return "";
}

}  // namespace shale::testing
