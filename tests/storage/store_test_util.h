// Helpers for the blob/image store tests: small synthetic images.
#ifndef SHALE_TESTS_STORAGE_STORE_TEST_UTIL_H_
#define SHALE_TESTS_STORAGE_STORE_TEST_UTIL_H_

#include <string>

#include "base/descriptor.h"
#include "base/status.h"
#include "storage/image_store.h"

namespace shale::testing {

// Writes a config and `layers` layer blobs whose content derives from
// `seed` (layer i has layer_size bytes), then the OCI manifest. Returns the
// manifest descriptor (not tagged).
Result<Descriptor> WriteTestImage(BlobStore& blobs, const std::string& seed, int layers = 2,
                                  size_t layer_size = 1000);

}  // namespace shale::testing

#endif  // SHALE_TESTS_STORAGE_STORE_TEST_UTIL_H_
