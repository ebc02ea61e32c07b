// Digest: a content address "algorithm:hex". Only sha256 is produced; parsing
// accepts sha256 (64 lowercase hex) and sha512 (128) per the OCI image spec,
// and rejects anything else so a digest can never smuggle path characters.
#ifndef SHALE_BASE_DIGEST_H_
#define SHALE_BASE_DIGEST_H_

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace shale {

class Digest {
 public:
  Digest() = default;  // empty: !valid()

  // Parses "sha256:<64 hex>" (or sha512). InvalidArgument names what is wrong.
  static Result<Digest> Parse(std::string_view text);
  // sha256 of a byte string.
  static Digest Sha256(std::string_view data);
  // Builds from algorithm and lowercase hex; caller guarantees validity.
  static Digest FromHex(std::string algorithm, std::string hex);

  bool valid() const { return !hex_.empty(); }
  const std::string& algorithm() const { return algorithm_; }
  const std::string& hex() const { return hex_; }
  std::string ToString() const { return valid() ? algorithm_ + ":" + hex_ : std::string(); }
  // The first 12 hex digits, as image ids are shown.
  std::string Short() const { return hex_.substr(0, 12); }

  friend bool operator==(const Digest&, const Digest&) = default;
  friend auto operator<=>(const Digest&, const Digest&) = default;

 private:
  std::string algorithm_;
  std::string hex_;
};

// Streaming sha256. Update() any number of times, then Finish() once.
class Digester {
 public:
  Digester();
  ~Digester();
  Digester(Digester&&) noexcept;
  Digester& operator=(Digester&&) noexcept;

  void Update(const void* data, size_t len);
  void Update(std::string_view data) { Update(data.data(), data.size()); }
  uint64_t bytes() const { return bytes_; }
  // Returns the digest; the Digester must not be updated afterwards.
  Digest Finish();

 private:
  struct CtxDeleter {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
  };
  std::unique_ptr<EVP_MD_CTX, CtxDeleter> ctx_;
  uint64_t bytes_ = 0;
};

// Lowercase hex of bytes.
std::string HexEncode(const unsigned char* data, size_t len);

}  // namespace shale

#endif  // SHALE_BASE_DIGEST_H_
