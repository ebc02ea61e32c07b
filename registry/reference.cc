#include "registry/reference.h"

#include <cctype>

namespace shale {
namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// One path component: [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*
bool ValidComponent(std::string_view c) {
  if (c.empty() || !IsLowerAlnum(c.front()) || !IsLowerAlnum(c.back())) return false;
  size_t i = 0;
  while (i < c.size()) {
    if (IsLowerAlnum(c[i])) {
      ++i;
      continue;
    }
    // a separator run
    size_t j = i;
    while (j < c.size() && !IsLowerAlnum(c[j])) ++j;
    std::string_view sep = c.substr(i, j - i);
    bool ok = sep == "." || sep == "_" || sep == "__" ||
              sep.find_first_not_of('-') == std::string_view::npos;
    if (!ok) return false;
    i = j;
  }
  return true;
}

bool ValidDomain(std::string_view d) {
  if (d.empty()) return false;
  std::string_view host = d;
  if (d.front() == '[') {  // IPv6 literal
    size_t close = d.find(']');
    if (close == std::string_view::npos) return false;
    for (char c : d.substr(1, close - 1))
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':') return false;
    std::string_view rest = d.substr(close + 1);
    if (rest.empty()) return true;
    if (rest.front() != ':' || rest.size() < 2) return false;
    for (char c : rest.substr(1))
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    return true;
  }
  size_t colon = d.find(':');
  if (colon != std::string_view::npos) {
    std::string_view port = d.substr(colon + 1);
    if (port.empty() || port.size() > 5) return false;
    for (char c : port)
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    host = d.substr(0, colon);
  }
  if (host.empty()) return false;
  size_t start = 0;
  while (start <= host.size()) {
    size_t dot = host.find('.', start);
    std::string_view label = host.substr(start, dot == std::string_view::npos ? host.npos : dot - start);
    if (label.empty() || label.front() == '-' || label.back() == '-') return false;
    for (char c : label)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

bool ValidTag(std::string_view t) {
  if (t.empty() || t.size() > 128) return false;
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  if (!word(t.front())) return false;
  for (char c : t)
    if (!word(c) && c != '.' && c != '-') return false;
  return true;
}

}  // namespace

bool HasExplicitDomain(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return false;
  std::string_view first = text.substr(0, slash);
  if (first == "localhost") return true;
  if (first.find_first_of(".:") != std::string_view::npos) return true;
  for (char c : first)
    if (std::isupper(static_cast<unsigned char>(c))) return true;
  return false;
}

std::string Reference::ToString() const {
  std::string s = Name();
  if (!tag.empty()) s += ":" + tag;
  if (digest.valid()) s += "@" + digest.ToString();
  return s;
}

std::string Reference::ManifestRef() const {
  return digest.valid() ? digest.ToString() : tag;
}

std::string Reference::Host() const {
  if (!domain.empty() && domain.front() == '[') return domain.substr(0, domain.find(']') + 1);
  return domain.substr(0, domain.find(':'));
}

Result<Reference> ParseReference(std::string_view text) {
  auto bad = [&](std::string why) {
    return InvalidArgumentError("invalid image reference \"" +
                                std::string(text.substr(0, 256)) + "\": " + why);
  };
  if (text.empty()) return bad("empty");
  if (text.size() > kMaxReferenceLength) return bad("longer than 4096 bytes");
  for (char c : text)
    if (static_cast<unsigned char>(c) <= ' ' || static_cast<unsigned char>(c) >= 0x7f)
      return bad("contains whitespace or a non-ASCII/control character");

  Reference ref;
  std::string_view rest = text;
  if (size_t at = rest.find('@'); at != std::string_view::npos) {
    auto d = Digest::Parse(rest.substr(at + 1));
    if (!d.ok()) return bad("bad digest: " + d.status().message());
    ref.digest = *d;
    rest = rest.substr(0, at);
  }
  // A tag is after the last ':' that follows the last '/'.
  size_t last_slash = rest.rfind('/');
  size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos && (last_slash == std::string_view::npos || colon > last_slash)) {
    std::string_view tag = rest.substr(colon + 1);
    if (!ValidTag(tag)) return bad("bad tag \"" + std::string(tag) + "\"");
    ref.tag = std::string(tag);
    rest = rest.substr(0, colon);
  }
  std::string_view path = rest;
  if (HasExplicitDomain(rest)) {
    size_t slash = rest.find('/');
    ref.domain = std::string(rest.substr(0, slash));
    path = rest.substr(slash + 1);
    if (!ValidDomain(ref.domain)) return bad("bad registry \"" + ref.domain + "\"");
  } else {
    ref.domain = kDockerHubDomain;
    ref.short_name = true;
  }
  if (ref.domain == "index.docker.io") ref.domain = kDockerHubDomain;
  if (path.empty()) return bad("no repository name");
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    std::string_view comp = path.substr(start, slash == std::string_view::npos ? path.npos : slash - start);
    if (!ValidComponent(comp)) {
      for (char c : comp)
        if (std::isupper(static_cast<unsigned char>(c)))
          return bad("repository name must be lowercase");
      return bad("bad repository component \"" + std::string(comp) + "\"");
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  ref.path = std::string(path);
  if (ref.domain == kDockerHubDomain && ref.path.find('/') == std::string::npos)
    ref.path = "library/" + ref.path;
  if (ref.Name().size() > kMaxNameLength) return bad("name longer than 255 characters");
  if (ref.tag.empty() && !ref.digest.valid()) ref.tag = "latest";
  return ref;
}

Result<Reference> ParseLocalName(std::string_view text) {
  if (!HasExplicitDomain(text) && text.find('@') == std::string_view::npos) {
    std::string qualified = "localhost/" + std::string(text);
    ASSIGN_OR_RETURN(Reference ref, ParseReference(qualified));
    return ref;
  }
  return ParseReference(text);
}

std::vector<std::string> LocalNameCandidates(std::string_view text) {
  std::vector<std::string> out;
  auto add = [&](std::string s) {
    for (const auto& o : out)
      if (o == s) return;
    out.push_back(std::move(s));
  };
  if (HasExplicitDomain(text)) {
    if (auto r = ParseReference(text); r.ok()) add(r->ToString());
    add(std::string(text));
    return out;
  }
  if (auto r = ParseLocalName(text); r.ok()) add(r->ToString());
  if (auto r = ParseReference(text); r.ok()) add(r->ToString());
  add(std::string(text));
  return out;
}

}  // namespace shale
