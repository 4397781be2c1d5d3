#include "service/admin_auth.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace entente {
namespace {

// The host part of "host:port" or "[v6]:port".
absl::string_view HostOf(absl::string_view address) {
  if (absl::ConsumePrefix(&address, "[")) {
    size_t close = address.find(']');
    return close == absl::string_view::npos ? address : address.substr(0, close);
  }
  size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos) return address;
  // A bare IPv6 address without brackets and port ("::1").
  if (address.find(':') != colon) return address;
  return address.substr(0, colon);
}

bool IsLoopbackIpv4(absl::string_view host) {
  std::vector<absl::string_view> parts = absl::StrSplit(host, '.');
  if (parts.size() != 4) return false;
  for (absl::string_view part : parts) {
    int value = 0;
    if (!absl::SimpleAtoi(part, &value) || value < 0 || value > 255) return false;
  }
  return parts[0] == "127";
}

}  // namespace

bool IsLoopbackListenAddress(absl::string_view address) {
  address = absl::StripAsciiWhitespace(address);
  if (absl::StartsWith(address, "unix:") || absl::StartsWith(address, "unix-abstract:")) {
    return true;
  }
  absl::ConsumePrefix(&address, "ipv4:");
  absl::ConsumePrefix(&address, "ipv6:");
  absl::ConsumePrefix(&address, "dns:///");
  const std::string host = absl::AsciiStrToLower(HostOf(address));
  if (host == "localhost" || host == "::1" || host == "0:0:0:0:0:0:0:1") return true;
  if (absl::StartsWith(host, "::ffff:")) return IsLoopbackIpv4(host.substr(7));
  return IsLoopbackIpv4(host);
}

bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  const size_t n = std::max(a.size(), b.size());
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= x ^ y;
  }
  return diff == 0;
}

AdminAuthorizer::AdminAuthorizer(std::string token, bool loopback_listener, bool tls)
    : token_(std::move(token)), loopback_listener_(loopback_listener), tls_(tls) {}

bool AdminAuthorizer::AdminDisabled() const {
  if (!loopback_listener_ && !tls_) return true;
  return token_.empty() && !loopback_listener_;
}

absl::Status AdminAuthorizer::Authorize(std::optional<absl::string_view> authorization) const {
  if (!loopback_listener_ && !tls_) {
    return absl::PermissionDeniedError(
        "admin calls are refused on a non-loopback listener without TLS; start the server "
        "with --tls_cert/--tls_key or listen on loopback");
  }
  if (token_.empty()) {
    if (loopback_listener_) return absl::OkStatus();
    return absl::PermissionDeniedError(
        "admin calls are disabled on this listener: the server has no --admin_token");
  }
  if (!authorization.has_value()) {
    return absl::UnauthenticatedError(
        "admin call without credentials: send metadata \"authorization: Bearer <token>\"");
  }
  absl::string_view value = absl::StripAsciiWhitespace(*authorization);
  if (!absl::ConsumePrefix(&value, "Bearer ") && !absl::ConsumePrefix(&value, "bearer ")) {
    return absl::UnauthenticatedError(
        "admin call with malformed credentials: want \"authorization: Bearer <token>\"");
  }
  if (!ConstantTimeEquals(absl::StripAsciiWhitespace(value), token_)) {
    return absl::PermissionDeniedError("admin token is wrong");
  }
  return absl::OkStatus();
}

}  // namespace entente
