#include "base/digest.h"

#include <utility>

namespace shale {

std::string HexEncode(const unsigned char* data, size_t len) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(len * 2, '0');
  for (size_t i = 0; i < len; ++i) {
    out[2 * i] = kHex[data[i] >> 4];
    out[2 * i + 1] = kHex[data[i] & 0xf];
  }
  return out;
}

Result<Digest> Digest::Parse(std::string_view text) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos)
    return InvalidArgumentError("invalid digest \"" + std::string(text.substr(0, 80)) + "\": missing ':'");
  std::string_view algo = text.substr(0, colon);
  std::string_view hex = text.substr(colon + 1);
  size_t want;
  if (algo == "sha256") {
    want = 64;
  } else if (algo == "sha512") {
    want = 128;
  } else {
    return InvalidArgumentError("invalid digest \"" + std::string(text.substr(0, 80)) +
                                "\": unsupported algorithm \"" + std::string(algo.substr(0, 20)) + "\"");
  }
  if (hex.size() != want)
    return InvalidArgumentError("invalid digest \"" + std::string(text.substr(0, 150)) + "\": want " +
                                std::to_string(want) + " hex digits, got " + std::to_string(hex.size()));
  for (char c : hex) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return InvalidArgumentError("invalid digest \"" + std::string(text.substr(0, 150)) +
                                  "\": not lowercase hex");
  }
  return FromHex(std::string(algo), std::string(hex));
}

Digest Digest::FromHex(std::string algorithm, std::string hex) {
  Digest d;
  d.algorithm_ = std::move(algorithm);
  d.hex_ = std::move(hex);
  return d;
}

Digest Digest::Sha256(std::string_view data) {
  Digester d;
  d.Update(data);
  return d.Finish();
}

Digester::Digester() : ctx_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr); }
Digester::~Digester() = default;
Digester::Digester(Digester&&) noexcept = default;
Digester& Digester::operator=(Digester&&) noexcept = default;

void Digester::Update(const void* data, size_t len) {
  EVP_DigestUpdate(ctx_.get(), data, len);
  bytes_ += len;
}

Digest Digester::Finish() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(ctx_.get(), md, &n);
  return Digest::FromHex("sha256", HexEncode(md, n));
}

}  // namespace shale
