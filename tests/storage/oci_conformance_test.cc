// Runs the OCI image-spec documents in ../shared/conformance/oci-image-spec
// through the codecs: every document upstream calls valid must parse, every
// invalid one must be rejected with a reason.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "base/digest.h"
#include "base/fd.h"
#include "storage/oci/descriptor_json.h"
#include "storage/oci/image_config.h"
#include "storage/oci/index.h"
#include "storage/oci/layout.h"
#include "storage/oci/manifest.h"

namespace shale::oci {
namespace {

const std::string kSpecDir = SHALE_SOURCE_DIR "/../shared/conformance/oci-image-spec";

std::vector<std::vector<std::string>> ReadTsv(const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> fields;
    std::stringstream ss(line);
    std::string f;
    while (std::getline(ss, f, '\t')) fields.push_back(f);
    if (line.back() == '\t') fields.push_back("");
    rows.push_back(fields);
  }
  return rows;
}

void ReplaceAll(std::string* s, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = s->find(from, pos)) != std::string::npos; pos += to.size()) s->replace(pos, from.size(), to);
}

std::string Docker2Oci(std::string s) {
  ReplaceAll(&s, "application/vnd.docker.distribution.manifest.list.v2+json", "application/vnd.oci.image.index.v1+json");
  ReplaceAll(&s, "application/vnd.docker.distribution.manifest.v2+json", "application/vnd.oci.image.manifest.v1+json");
  ReplaceAll(&s, "application/vnd.docker.image.rootfs.diff.tar.gzip", "application/vnd.oci.image.layer.v1.tar+gzip");
  ReplaceAll(&s, "application/vnd.docker.container.image.v1+json", "application/vnd.oci.image.config.v1+json");
  return s;
}

Status Validate(const std::string& media_type, const std::string& bytes) {
  if (media_type == "application/vnd.oci.descriptor.v1+json") return ParseDescriptor(bytes).status();
  if (media_type == "application/vnd.oci.image.manifest.v1+json") return ParseManifestStrict(bytes).status();
  if (media_type == "application/vnd.oci.image.index.v1+json") return ParseIndex(bytes).status();
  if (media_type == "application/vnd.oci.image.config.v1+json") return ParseImageConfig(bytes).status();
  if (media_type == "application/vnd.oci.layout.header.v1+json") return ParseLayoutHeader(bytes).status();
  return UnimplementedError("test: no validator for " + media_type);
}

#define SKIP_WITHOUT_CONFORMANCE()                                                         \
  if (!std::filesystem::exists(kSpecDir))                                                  \
  GTEST_SKIP() << "conformance data not found at " << kSpecDir                             \
               << " (shared/ must sit beside the clone)"

TEST(OciConformanceTest, ValidationDocuments) {
  SKIP_WITHOUT_CONFORMANCE();
  auto rows = ReadTsv(kSpecDir + "/examples/validation-tests/INDEX.tsv");
  ASSERT_GE(rows.size(), 71u);
  int valid = 0, invalid = 0;
  for (const auto& row : rows) {
    ASSERT_GE(row.size(), 4u);
    const std::string& file = row[0];
    auto raw = ReadFileCapped(kSpecDir + "/examples/validation-tests/" + file, 1 << 20);
    ASSERT_TRUE(raw.ok()) << raw.status().ToString();
    std::string bytes = row[3] == "docker2oci" ? Docker2Oci(*raw) : *raw;
    Status s = Validate(row[1], bytes);
    if (row[2] == "valid") {
      ++valid;
      EXPECT_TRUE(s.ok()) << file << " (" << row.back() << ") rejected: " << s.ToString();
    } else {
      ++invalid;
      EXPECT_FALSE(s.ok()) << file << " (" << row.back() << ") accepted";
      EXPECT_FALSE(s.message().empty()) << file;
      EXPECT_NE(s.code(), StatusCode::kInternal) << file << ": " << s.ToString();
    }
  }
  EXPECT_EQ(valid, 31);
  EXPECT_EQ(invalid, 40);
}

TEST(OciConformanceTest, SpecExamplesAreValid) {
  SKIP_WITHOUT_CONFORMANCE();
  auto rows = ReadTsv(kSpecDir + "/examples/spec-docs/INDEX.tsv");
  ASSERT_EQ(rows.size(), 13u);
  for (const auto& row : rows) {
    auto raw = ReadFileCapped(kSpecDir + "/examples/spec-docs/" + row[0], 1 << 20);
    ASSERT_TRUE(raw.ok());
    Status s = Validate(row[2], *raw);
    EXPECT_TRUE(s.ok()) << row[0] << ": " << s.ToString();
  }
}

// The Docker Hub documents parse as Docker documents too (no preprocessing),
// and their raw bytes hash to the digest recorded upstream.
TEST(OciConformanceTest, DockerHubDocumentsParseRawAndHash) {
  SKIP_WITHOUT_CONFORMANCE();
  auto rows = ReadTsv(kSpecDir + "/examples/validation-tests/INDEX.tsv");
  int seen = 0;
  for (const auto& row : rows) {
    if (row[3] != "docker2oci") continue;
    ++seen;
    auto raw = ReadFileCapped(kSpecDir + "/examples/validation-tests/" + row[0], 1 << 20);
    ASSERT_TRUE(raw.ok());
    Status s = Validate(row[1], *raw);
    EXPECT_TRUE(s.ok()) << row[0] << ": " << s.ToString();
    size_t at = row.back().find("sha256:");
    ASSERT_NE(at, std::string::npos);
    EXPECT_EQ(Digest::Sha256(*raw).ToString(), row.back().substr(at, 71)) << row[0];
  }
  EXPECT_EQ(seen, 4);
}

}  // namespace
}  // namespace shale::oci
