// Stores one file as a blob through BlobWriter (the path every pulled layer
// and built layer takes) and prints its digest. Driven by
// storage_blob_bench.sh, which compares it with sha256sum + cp.
//   storage_blob_bench FILE STORE_ROOT [CHUNK_BYTES]
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "base/fd.h"
#include "storage/blob_store.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s FILE STORE_ROOT [CHUNK_BYTES]\n", argv[0]);
    return 125;
  }
  size_t chunk = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : (4u << 20);
  auto store = shale::BlobStore::Open(argv[2]);
  if (!store.ok()) {
    std::fprintf(stderr, "Error: %s\n", store.status().ToString().c_str());
    return 1;
  }
  shale::UniqueFd fd(::open(argv[1], O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    std::perror(argv[1]);
    return 1;
  }
  ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
  auto writer = (*store)->NewWriter();
  if (!writer.ok()) {
    std::fprintf(stderr, "Error: %s\n", writer.status().ToString().c_str());
    return 1;
  }
  std::vector<char> buf(chunk);
  while (true) {
    auto n = shale::ReadSome(fd.get(), buf.data(), buf.size());
    if (!n.ok()) {
      std::fprintf(stderr, "Error: %s\n", n.status().ToString().c_str());
      return 1;
    }
    if (*n == 0) break;
    if (auto s = (*writer)->Write(buf.data(), *n); !s.ok()) {
      std::fprintf(stderr, "Error: %s\n", s.ToString().c_str());
      return 1;
    }
  }
  auto d = (*writer)->Commit();
  if (!d.ok()) {
    std::fprintf(stderr, "Error: %s\n", d.status().ToString().c_str());
    return 1;
  }
  std::printf("%s  %lld\n", d->digest.ToString().c_str(), static_cast<long long>(d->size));
  return 0;
}
