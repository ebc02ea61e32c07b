// A fake docker credential helper for tests: `docker-credential-NAME`, a sh
// script in a bin directory the test puts first on PATH. It keeps what
// `store` gives it as one file per server under STATE/store/ and appends
// "ACTION SERVER" to STATE/calls for every call (never the secret). `get`
// and `erase` of an unknown server answer "credentials not found in native
// keychain" with exit status 1, as the real helpers do.
#ifndef SHALE_TESTS_REGISTRY_FAKE_CREDENTIAL_HELPER_H_
#define SHALE_TESTS_REGISTRY_FAKE_CREDENTIAL_HELPER_H_

#include <string>

#include "tests/testutil/subprocess.h"

namespace shale::testing {

inline void WriteFakeCredentialHelper(const std::string& bin_dir, const std::string& name,
                                      const std::string& state_dir) {
  WriteFile(state_dir + "/store/.keep", "");
  WriteFile(state_dir + "/calls", "");
  WriteFile(bin_dir + "/docker-credential-" + name,
            "#!/bin/sh\n"
            "state='" + state_dir + "'\n"
            "PATH=/usr/bin:/bin\n"
            "input=$(cat)\n"
            "case \"$1\" in\n"
            "  store) server=$(printf '%s' \"$input\" | sed -n 's/.*\"ServerURL\":\"\\([^\"]*\\)\".*/\\1/p') ;;\n"
            "  *) server=$input ;;\n"
            "esac\n"
            "printf '%s %s\\n' \"$1\" \"$server\" >>\"$state/calls\"\n"
            "f=\"$state/store/$(printf '%s' \"$server\" | tr '/:' '__')\"\n"
            "case \"$1\" in\n"
            "  store) printf '%s' \"$input\" >\"$f\" ;;\n"
            "  get) if [ -f \"$f\" ]; then cat \"$f\"; else echo 'credentials not found in native keychain'; exit 1; fi ;;\n"
            "  erase) if [ -f \"$f\" ]; then rm -f \"$f\"; else echo 'credentials not found in native keychain'; exit 1; fi ;;\n"
            "  *) echo \"unknown action $1\"; exit 1 ;;\n"
            "esac\n",
            0755);
}

}  // namespace shale::testing

#endif  // SHALE_TESTS_REGISTRY_FAKE_CREDENTIAL_HELPER_H_
