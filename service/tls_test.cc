// TLS and mutual TLS refusals, admin calls over TLS on a non-loopback
// listener, and TLS flags the server must refuse to start with. The real
// entente_server binary on port 0; certificates made at test time with
// /usr/bin/openssl (a CA, a server certificate and a client certificate it
// signed, and an unrelated CA with its own client certificate).
//
// server_integration_test.cc covers the rest: TLS without client
// certificates (TlsTest), the admin token on a loopback listener and admin
// refused on a non-loopback listener without TLS (AdminTest).

#include <stdio.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "gtest/gtest.h"
#include "proto/service.grpc.pb.h"
#include "service/testing/server_process.h"

namespace entente {
namespace {

using entente::v1::ClassifyRequest;
using entente::v1::ClassifyResponse;

constexpr char kOpenssl[] = "/usr/bin/openssl";

// Extensions for the certificates: a CA that may sign, a server certificate
// for localhost and 127.0.0.1, a client certificate.
constexpr char kOpensslConfig[] = R"(
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
[client]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
)";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// Runs a shell command; true if it exits 0. Its output goes to `log`.
bool Run(const std::string& command, const std::string& log) {
  const std::string full = absl::StrCat(command, " >>", log, " 2>&1");
  return std::system(full.c_str()) == 0;
}

// Certificates in a temporary directory: `<name>.pem` and `<name>.key`.
class Pki {
 public:
  explicit Pki(std::string dir) : dir_(std::move(dir)), log_(dir_ + "/openssl.log") {
    std::ofstream(dir_ + "/openssl.cnf") << kOpensslConfig;
  }

  // A self-signed CA certificate.
  bool MakeCa(const std::string& name) {
    return Run(absl::StrCat(kOpenssl, " req -config ", Path("openssl.cnf"),
                            " -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
                            "-days 2 -subj '/CN=entente test ",
                            name, "' -extensions ca -keyout ", Path(name + ".key"), " -out ",
                            Path(name + ".pem")),
               log_);
  }

  // A certificate for `common_name` signed by CA `ca`, with the extensions
  // of section `kind` ("server" or "client").
  bool MakeSigned(const std::string& name, const std::string& common_name, const std::string& ca,
                  const std::string& kind) {
    return Run(absl::StrCat(kOpenssl, " req -config ", Path("openssl.cnf"),
                            " -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
                            "-subj '/CN=",
                            common_name, "' -keyout ", Path(name + ".key"), " -out ",
                            Path(name + ".csr")),
               log_) &&
           Run(absl::StrCat(kOpenssl, " x509 -req -in ", Path(name + ".csr"), " -CA ",
                            Path(ca + ".pem"), " -CAkey ", Path(ca + ".key"), " -set_serial ",
                            ++serial_, " -days 2 -extfile ", Path("openssl.cnf"), " -extensions ",
                            kind, " -out ", Path(name + ".pem")),
               log_) &&
           Run(absl::StrCat(kOpenssl, " verify -CAfile ", Path(ca + ".pem"), " ",
                            Path(name + ".pem")),
               log_);
  }

  std::string Path(const std::string& file) const { return absl::StrCat(dir_, "/", file); }
  std::string Pem(const std::string& name) const { return ReadAll(Path(name + ".pem")); }
  std::string Key(const std::string& name) const { return ReadAll(Path(name + ".key")); }
  std::string Log() const { return ReadAll(log_); }

 private:
  const std::string dir_;
  const std::string log_;
  int serial_ = 0;
};

// A rules directory with one small rule set, "default": servers start fast.
std::string SmallRules() {
  const std::string dir = ServerProcess::TempDir("tls-rules");
  EXPECT_TRUE(WriteFileAtomically(
                  dir + "/default.textproto",
                  "name: \"default\"\nversion: \"1\"\nstance { id: \"fruit\" }\n"
                  "rule { id: \"fruit_word\" stance: \"fruit\" polarity: SUPPORT weight: 0.9 "
                  "pattern: \"\\\\bapples?\\\\b\" }\n")
                  .ok());
  return dir;
}

// A stub on a channel of its own (no subchannel shared with another test's
// credentials).
std::unique_ptr<entente::v1::Entente::Stub> Stub(
    const std::string& address, std::shared_ptr<grpc::ChannelCredentials> credentials) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return entente::v1::Entente::NewStub(grpc::CreateCustomChannel(address, credentials, args));
}

std::unique_ptr<grpc::ClientContext> Context(absl::Duration timeout = absl::Seconds(30)) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::milliseconds(absl::ToInt64Milliseconds(timeout)));
  return context;
}

grpc::Status Classify(entente::v1::Entente::Stub* stub, ClassifyResponse* response) {
  ClassifyRequest request;
  request.set_text("I like apples.");
  return stub->Classify(Context().get(), request, response);
}

// TLS credentials trusting CA `root`, presenting `client` ("" for none).
std::shared_ptr<grpc::ChannelCredentials> TlsCredentials(const Pki& pki, const std::string& root,
                                                         const std::string& client) {
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = pki.Pem(root);
  if (!client.empty()) {
    options.pem_cert_chain = pki.Pem(client);
    options.pem_private_key = pki.Key(client);
  }
  return grpc::SslCredentials(options);
}

// The PKI and the rules, made once for the whole binary.
class TlsFixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!std::filesystem::exists(kOpenssl)) return;
    pki_ = new Pki(ServerProcess::TempDir("pki"));
    const bool made =
        pki_->MakeCa("ca") && pki_->MakeSigned("server", "localhost", "ca", "server") &&
        pki_->MakeSigned("client", "entente-client", "ca", "client") && pki_->MakeCa("other_ca") &&
        pki_->MakeSigned("other_client", "entente-client", "other_ca", "client");
    if (!made) {
      pki_error_ = new std::string(pki_->Log());
      return;
    }
    rules_ = new std::string(SmallRules());
  }
  static void TearDownTestSuite() {
    delete pki_;
    delete rules_;
    delete pki_error_;
    pki_ = nullptr;
    rules_ = nullptr;
    pki_error_ = nullptr;
  }
  void SetUp() override {
    // A missing dependency fails: tools/setup.sh installs openssl, and a
    // skip would report PASSED for a test that ran nothing.
    ASSERT_NE(pki_, nullptr) << "no " << kOpenssl << " to make certificates (tools/setup.sh)";
    ASSERT_EQ(pki_error_, nullptr) << "openssl failed:\n" << *pki_error_;
  }

  static Pki* pki_;
  static std::string* rules_;
  static std::string* pki_error_;
};

Pki* TlsFixture::pki_ = nullptr;
std::string* TlsFixture::rules_ = nullptr;
std::string* TlsFixture::pki_error_ = nullptr;

// One server requiring client certificates signed by "ca".
class MutualTlsTest : public TlsFixture {
 protected:
  static void SetUpTestSuite() {
    TlsFixture::SetUpTestSuite();
    if (pki_ == nullptr || pki_error_ != nullptr) return;
    auto server = ServerProcess::Start(
        {"--listen=127.0.0.1:0", "--rules=" + *rules_, "--poll_interval_ms=0",
         "--tls_cert=" + pki_->Path("server.pem"), "--tls_key=" + pki_->Path("server.key"),
         "--tls_client_ca=" + pki_->Path("ca.pem")});
    if (server.ok()) {
      server_ = server->release();
    } else {
      start_error_ = new std::string(server.status().ToString());
    }
  }
  static void TearDownTestSuite() {
    delete server_;
    delete start_error_;
    server_ = nullptr;
    start_error_ = nullptr;
    TlsFixture::TearDownTestSuite();
  }
  void SetUp() override {
    TlsFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_EQ(start_error_, nullptr) << *start_error_;
    ASSERT_NE(server_, nullptr);
  }

  // Expects a call with `credentials` to be refused, then one with the
  // right client certificate to succeed (the refusal was not an outage).
  void ExpectRefused(std::shared_ptr<grpc::ChannelCredentials> credentials,
                     const std::string& what) {
    ClassifyResponse response;
    grpc::Status status = Classify(Stub(server_->address(), credentials).get(), &response);
    EXPECT_FALSE(status.ok()) << what << " was served";
    // The handshake fails, so the channel reports the server unavailable
    // (not DEADLINE_EXCEEDED: it fails at once, well before the deadline).
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
        << what << ": " << status.error_code() << " " << status.error_message();
    EXPECT_EQ(response.result().annotations_size(), 0);
    std::cerr << what << ": " << status.error_code() << " \"" << status.error_message() << "\"\n";
    ClassifyResponse good;
    EXPECT_TRUE(
        Classify(Stub(server_->address(), TlsCredentials(*pki_, "ca", "client")).get(), &good).ok())
        << "the server stopped serving after " << what;
  }

  static ServerProcess* server_;
  static std::string* start_error_;
};

ServerProcess* MutualTlsTest::server_ = nullptr;
std::string* MutualTlsTest::start_error_ = nullptr;

TEST_F(MutualTlsTest, ClientWithACertificateFromTheCaIsServed) {
  ClassifyResponse response;
  grpc::Status status =
      Classify(Stub(server_->address(), TlsCredentials(*pki_, "ca", "client")).get(), &response);
  ASSERT_TRUE(status.ok()) << status.error_message() << "\n" << server_->Log();
  ASSERT_EQ(response.result().annotations_size(), 1);
  EXPECT_EQ(response.result().annotations(0).stance(), "fruit");
  EXPECT_TRUE(absl::StrContains(server_->Log(), "tls=mutual")) << server_->Log();
}

TEST_F(MutualTlsTest, ClientWithoutACertificateIsRefused) {
  ExpectRefused(TlsCredentials(*pki_, "ca", ""), "a client without a certificate");
}

TEST_F(MutualTlsTest, ClientWithACertificateFromAnotherCaIsRefused) {
  ExpectRefused(TlsCredentials(*pki_, "ca", "other_client"),
                "a client with a certificate from another CA");
}

TEST_F(MutualTlsTest, PlaintextClientIsRefused) {
  ExpectRefused(grpc::InsecureChannelCredentials(), "a plaintext client");
}

TEST_F(MutualTlsTest, ClientThatDoesNotTrustTheServerRefusesIt) {
  ExpectRefused(TlsCredentials(*pki_, "other_ca", "client"), "a client trusting another CA only");
}

// Admin calls on a non-loopback listener with TLS: allowed, with the token.
class AdminOverTlsTest : public TlsFixture {
 protected:
  std::unique_ptr<ServerProcess> StartServer(const std::vector<std::string>& extra) {
    std::vector<std::string> args = {
        "--listen=0.0.0.0:0", "--rules=" + *rules_, "--poll_interval_ms=0",
        "--tls_cert=" + pki_->Path("server.pem"), "--tls_key=" + pki_->Path("server.key")};
    args.insert(args.end(), extra.begin(), extra.end());
    auto server = ServerProcess::Start(args);
    EXPECT_TRUE(server.ok()) << server.status();
    return server.ok() ? std::move(*server) : nullptr;
  }

  grpc::Status Reload(const std::string& address, const std::string& authorization) {
    auto context = Context();
    if (!authorization.empty()) context->AddMetadata("authorization", authorization);
    entente::v1::ReloadRuleSetsResponse response;
    grpc::Status status = Stub(address, TlsCredentials(*pki_, "ca", ""))
                              ->ReloadRuleSets(context.get(), {}, &response);
    std::cerr << "ReloadRuleSets with authorization \"" << authorization
              << "\": " << status.error_code() << " \"" << status.error_message() << "\"\n";
    if (status.ok()) {
      EXPECT_TRUE(response.report().ok());
    }
    return status;
  }
};

TEST_F(AdminOverTlsTest, TokenIsRequiredAndChecked) {
  const std::string token_dir = ServerProcess::TempDir("tls-token");
  ASSERT_TRUE(WriteFileAtomically(token_dir + "/token", "s3cret-token\n").ok());
  std::unique_ptr<ServerProcess> server =
      StartServer({"--admin_token_file=" + token_dir + "/token"});
  ASSERT_NE(server, nullptr);
  ASSERT_TRUE(absl::StartsWith(server->address(), "127.0.0.1:")) << server->address();
  const std::string log = server->Log();
  EXPECT_TRUE(absl::StrContains(log, "tls=on")) << log;
  EXPECT_TRUE(absl::StrContains(log, "admin=token")) << log;
  EXPECT_FALSE(absl::StrContains(log, "insecure_listener")) << log;

  grpc::Status status = Reload(server->address(), "");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << status.error_message();
  EXPECT_TRUE(absl::StrContains(status.error_message(), "without credentials"))
      << status.error_message();

  status = Reload(server->address(), "Basic s3cret-token");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << status.error_message();

  status = Reload(server->address(), "Bearer s3cret-tokem");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
  EXPECT_TRUE(absl::StrContains(status.error_message(), "wrong")) << status.error_message();

  status = Reload(server->address(), "Bearer s3cret-token");
  EXPECT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
}

TEST_F(AdminOverTlsTest, WithoutATokenAdminIsDisabledOffLoopback) {
  std::unique_ptr<ServerProcess> server = StartServer({});
  ASSERT_NE(server, nullptr);
  EXPECT_TRUE(absl::StrContains(server->Log(), "admin=disabled")) << server->Log();
  grpc::Status status = Reload(server->address(), "");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
  EXPECT_TRUE(absl::StrContains(status.error_message(), "no --admin_token"))
      << status.error_message();
  status = Reload(server->address(), "Bearer anything");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
  // Classification is not affected.
  ClassifyResponse response;
  EXPECT_TRUE(
      Classify(Stub(server->address(), TlsCredentials(*pki_, "ca", "")).get(), &response).ok());
}

// The exit status and output of the server started with `args`, which
// should refuse to start. A server that starts anyway is stopped by
// timeout(1) (exit status 124).
struct Exit {
  int status = -1;
  std::string output;
};
Exit RunServer(const std::vector<std::string>& args) {
  const std::string command = absl::StrCat("/usr/bin/timeout 60 ", ServerProcess::DefaultBinary(),
                                           " --listen=127.0.0.1:0 --poll_interval_ms=0 ",
                                           absl::StrJoin(args, " "), " 2>&1");
  Exit exit;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return exit;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) exit.output.append(buffer, n);
  const int status = pclose(pipe);
  exit.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return exit;
}

class TlsFlagsTest : public TlsFixture {};

TEST_F(TlsFlagsTest, BadTlsFlagsStopTheServerWithAClearMessage) {
  const std::string dir = ServerProcess::TempDir("bad-tls");
  ASSERT_TRUE(WriteFileAtomically(dir + "/garbage.pem", "not a certificate\n").ok());
  const std::string cert = "--tls_cert=" + pki_->Path("server.pem");
  const std::string key = "--tls_key=" + pki_->Path("server.key");
  const std::string rules = "--rules=" + *rules_;
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{rules, key}, "TLS needs both --tls_cert and --tls_key"},
      {{rules, cert}, "TLS needs both --tls_cert and --tls_key"},
      {{rules, "--tls_client_ca=" + pki_->Path("ca.pem")},
       "--tls_client_ca needs --tls_cert and --tls_key"},
      {{rules, "--tls_cert=" + dir + "/missing.pem", key},
       "cannot read TLS certificate " + dir + "/missing.pem"},
      {{rules, "--tls_cert=" + dir, key}, "cannot read TLS certificate " + dir},
      {{rules, cert, "--tls_key=" + dir + "/missing.key"}, "cannot read TLS key"},
      {{rules, cert, key, "--tls_client_ca=" + dir + "/missing.pem"}, "cannot read client CA"},
      {{rules, "--tls_cert=" + dir + "/garbage.pem", key},
       "TLS certificate " + dir + "/garbage.pem is not PEM"},
      // A certificate where the key belongs.
      {{rules, cert, "--tls_key=" + pki_->Path("server.pem")}, "TLS key"},
      {{rules, cert, key, "--tls_client_ca=" + pki_->Path("server.key")}, "client CA"},
      // Both PEM, but the key is not the certificate's.
      {{rules, cert, "--tls_key=" + pki_->Path("client.key")},
       "cannot listen on 127.0.0.1:0 with TLS: gRPC refused --tls_cert"},
  };
  for (const Case& c : cases) {
    const std::string flags = absl::StrJoin(c.args, " ");
    Exit exit = RunServer(c.args);
    EXPECT_EQ(exit.status, 2) << flags << "\n" << exit.output;
    EXPECT_TRUE(absl::StrContains(exit.output, "entente_server: " + c.message)) << flags << "\n"
                                                                                << exit.output;
    EXPECT_FALSE(absl::StrContains(exit.output, "listening on")) << flags << "\n" << exit.output;
  }
}

}  // namespace
}  // namespace entente
