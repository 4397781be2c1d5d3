#include "service/admin_auth.h"

#include "gtest/gtest.h"

namespace entente {
namespace {

TEST(IsLoopbackListenAddressTest, KnowsLoopbackFromWildcards) {
  EXPECT_TRUE(IsLoopbackListenAddress("127.0.0.1:50051"));
  EXPECT_TRUE(IsLoopbackListenAddress("127.1.2.3:0"));
  EXPECT_TRUE(IsLoopbackListenAddress("localhost:50051"));
  EXPECT_TRUE(IsLoopbackListenAddress("[::1]:50051"));
  EXPECT_TRUE(IsLoopbackListenAddress("ipv4:127.0.0.1:1"));
  EXPECT_TRUE(IsLoopbackListenAddress("unix:/run/entente.sock"));
  EXPECT_FALSE(IsLoopbackListenAddress("0.0.0.0:50051"));
  EXPECT_FALSE(IsLoopbackListenAddress("[::]:50051"));
  EXPECT_FALSE(IsLoopbackListenAddress(":50051"));
  EXPECT_FALSE(IsLoopbackListenAddress("10.0.0.5:50051"));
  EXPECT_FALSE(IsLoopbackListenAddress("entente.internal:50051"));
  EXPECT_FALSE(IsLoopbackListenAddress("127.0.0.1.example.com:50051"));
}

TEST(ConstantTimeEqualsTest, ComparesWholeStrings) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("token", "token"));
  EXPECT_FALSE(ConstantTimeEquals("token", "tokem"));
  EXPECT_FALSE(ConstantTimeEquals("token", "token2"));
  EXPECT_FALSE(ConstantTimeEquals("token", ""));
  EXPECT_FALSE(ConstantTimeEquals(std::string("a\0b", 3), "a"));
}

TEST(AdminAuthorizerTest, LoopbackWithoutTokenAllows) {
  AdminAuthorizer admin("", /*loopback_listener=*/true, /*tls=*/false);
  EXPECT_TRUE(admin.Authorize(std::nullopt).ok());
  EXPECT_FALSE(admin.AdminDisabled());
}

TEST(AdminAuthorizerTest, TokenIsRequiredAndChecked) {
  AdminAuthorizer admin("s3cret", /*loopback_listener=*/true, /*tls=*/false);
  EXPECT_EQ(admin.Authorize(std::nullopt).code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(admin.Authorize("s3cret").code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(admin.Authorize("Basic s3cret").code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(admin.Authorize("Bearer s3cre").code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(admin.Authorize("Bearer ").code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(admin.Authorize("Bearer x").code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(admin.Authorize("Bearer s3cret").ok());
}

TEST(AdminAuthorizerTest, NonLoopbackWithoutTlsNeverAllows) {
  AdminAuthorizer admin("s3cret", /*loopback_listener=*/false, /*tls=*/false);
  EXPECT_TRUE(admin.AdminDisabled());
  EXPECT_EQ(admin.Authorize("Bearer s3cret").code(), absl::StatusCode::kPermissionDenied);
}

TEST(AdminAuthorizerTest, NonLoopbackWithTlsNeedsAToken) {
  AdminAuthorizer without_token("", /*loopback_listener=*/false, /*tls=*/true);
  EXPECT_TRUE(without_token.AdminDisabled());
  EXPECT_EQ(without_token.Authorize(std::nullopt).code(), absl::StatusCode::kPermissionDenied);
  AdminAuthorizer with_token("s3cret", /*loopback_listener=*/false, /*tls=*/true);
  EXPECT_FALSE(with_token.AdminDisabled());
  EXPECT_TRUE(with_token.Authorize("Bearer s3cret").ok());
  EXPECT_EQ(with_token.Authorize(std::nullopt).code(), absl::StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace entente
