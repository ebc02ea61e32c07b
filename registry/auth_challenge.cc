#include "registry/auth_challenge.h"

#include <cctype>
#include <nlohmann/json.hpp>

namespace shale {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

}  // namespace

std::vector<AuthChallenge> ParseWwwAuthenticate(std::string_view h) {
  std::vector<AuthChallenge> out;
  size_t i = 0;
  auto skip_ws = [&] {
    while (i < h.size() && (h[i] == ' ' || h[i] == '\t')) ++i;
  };
  auto read_token = [&] {
    size_t start = i;
    while (i < h.size() && IsTokenChar(h[i])) ++i;
    return h.substr(start, i - start);
  };
  while (i < h.size()) {
    skip_ws();
    while (i < h.size() && h[i] == ',') {
      ++i;
      skip_ws();
    }
    std::string_view scheme = read_token();
    if (scheme.empty()) {
      ++i;  // junk: skip a character
      continue;
    }
    AuthChallenge ch;
    ch.scheme = Lower(scheme);
    // auth-params: name=value or name="quoted", separated by commas. A new
    // challenge starts at a token followed by a space (not '=').
    while (i < h.size()) {
      skip_ws();
      while (i < h.size() && h[i] == ',') {
        ++i;
        skip_ws();
      }
      size_t save = i;
      std::string_view name = read_token();
      skip_ws();
      if (name.empty() || i >= h.size() || h[i] != '=') {
        i = save;
        break;
      }
      ++i;
      skip_ws();
      std::string value;
      if (i < h.size() && h[i] == '"') {
        ++i;
        while (i < h.size() && h[i] != '"') {
          if (h[i] == '\\' && i + 1 < h.size()) ++i;
          value += h[i++];
        }
        if (i < h.size()) ++i;
      } else {
        value = std::string(read_token());
      }
      ch.params[Lower(name)] = value;
    }
    out.push_back(std::move(ch));
  }
  return out;
}

Result<BearerToken> ParseTokenResponse(std::string_view body) {
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return InvalidArgumentError("token response is not a JSON object");
  BearerToken t;
  for (const char* key : {"token", "access_token"}) {
    auto it = doc.find(key);
    if (it != doc.end() && it->is_string() && !it->get<std::string>().empty()) {
      t.token = it->get<std::string>();
      break;
    }
  }
  if (t.token.empty()) return InvalidArgumentError("token response holds no token");
  if (auto it = doc.find("expires_in"); it != doc.end() && it->is_number_integer() && it->get<int64_t>() > 0)
    t.expires_in = it->get<int64_t>();
  return t;
}

}  // namespace shale
