// File: service/admin_auth.h
//
// Who may call the admin RPCs (ReloadRuleSets). The policy, in order:
// 1. A non-loopback listener without TLS never allows admin calls: a token
//    sent there would cross the network in clear text.
// 2. When the server has an admin token, a call must carry it as
//    "authorization: Bearer <token>": UNAUTHENTICATED without it,
//    PERMISSION_DENIED with a wrong one. Tokens are compared in constant
//    time.
// 3. Without a token, admin calls are allowed on a loopback listener (the
//    operator is on the machine) and refused elsewhere.
//
//   entente::AdminAuthorizer admin(token, entente::IsLoopbackListenAddress(listen),
//                                  /*tls=*/false);
//   absl::Status allowed = admin.Authorize(bearer_header_or_nullopt);

#ifndef ENTENTE_SERVICE_ADMIN_AUTH_H_
#define ENTENTE_SERVICE_ADMIN_AUTH_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace entente {

// True if a gRPC listen address ("127.0.0.1:50051", "[::1]:0",
// "localhost:80", "unix:/run/entente.sock") accepts only local connections.
// Wildcards ("0.0.0.0:50051", "[::]:50051", ":50051") and other host names
// are not loopback.
bool IsLoopbackListenAddress(absl::string_view address);

// Compares `a` and `b` in time that depends only on their lengths, not on
// where they first differ.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

// Immutable; safe to use from many threads.
class AdminAuthorizer {
 public:
  // `token` empty means the server has no admin token.
  AdminAuthorizer(std::string token, bool loopback_listener, bool tls);

  // Decides on one admin call given the value of its "authorization"
  // metadata (nullopt when absent). Returns OK, UNAUTHENTICATED or
  // PERMISSION_DENIED with a message that says what to do.
  absl::Status Authorize(std::optional<absl::string_view> authorization) const;

  // True when no admin call can ever succeed on this listener (for a
  // startup warning).
  bool AdminDisabled() const;

 private:
  const std::string token_;
  const bool loopback_listener_;
  const bool tls_;
};

}  // namespace entente

#endif  // ENTENTE_SERVICE_ADMIN_AUTH_H_
