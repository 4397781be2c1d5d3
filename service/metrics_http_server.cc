#include "service/metrics_http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <list>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"

namespace entente {
namespace {

constexpr size_t kMaxRequestBytes = 8 << 10;

std::string Response(absl::string_view status, absl::string_view type, absl::string_view body) {
  return absl::StrCat("HTTP/1.1 ", status, "\r\nContent-Type: ", type,
                      "\r\nContent-Length: ", body.size(), "\r\nConnection: close\r\n\r\n", body);
}

struct Connection {
  int fd = -1;
  std::string request;
  std::string response;
  size_t sent = 0;
  absl::Time deadline;
  bool writing = false;
};

void SetNonBlocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK); }

}  // namespace

MetricsHttpServer::MetricsHttpServer(Metrics* metrics, MetricsHttpOptions options)
    : metrics_(metrics), options_(options) {}

MetricsHttpServer::~MetricsHttpServer() { Stop(); }

absl::StatusOr<std::string> MetricsHttpServer::Start(absl::string_view address) {
  const size_t colon = address.rfind(':');
  int port = -1;
  if (colon == absl::string_view::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("metrics address \"", address, "\" is not host:port"));
  }
  absl::string_view host = address.substr(0, colon);
  const bool bracketed = absl::ConsumePrefix(&host, "[") && absl::ConsumeSuffix(&host, "]");
  const std::string host_string = host.empty() ? "127.0.0.1" : std::string(host);

  addrinfo hints = {};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (getaddrinfo(host_string.c_str(), absl::StrCat(port).c_str(), &hints, &found) != 0 ||
      found == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("metrics address \"", address, "\": unknown host ", host_string));
  }
  int fd = socket(found->ai_family, found->ai_socktype | SOCK_CLOEXEC, found->ai_protocol);
  const int one = 1;
  if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  const bool bound =
      fd >= 0 && bind(fd, found->ai_addr, found->ai_addrlen) == 0 && listen(fd, 64) == 0;
  freeaddrinfo(found);
  if (!bound) {
    if (fd >= 0) close(fd);
    return absl::UnavailableError(absl::StrCat("cannot bind metrics address ", address));
  }
  sockaddr_storage local = {};
  socklen_t length = sizeof(local);
  getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length);
  const int bound_port =
      ntohs(local.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&local)->sin6_port
                                        : reinterpret_cast<sockaddr_in*>(&local)->sin_port);
  SetNonBlocking(fd);
  if (pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) {
    close(fd);
    return absl::InternalError("metrics server: pipe failed");
  }
  listen_fd_ = fd;
  thread_ = std::thread([this] { Serve(); });
  return absl::StrCat(bracketed ? "[" : "", host_string, bracketed ? "]" : "", ":", bound_port);
}

void MetricsHttpServer::Stop() {
  if (listen_fd_ < 0) return;
  const char stop = 1;
  (void)!write(wake_[1], &stop, 1);
  if (thread_.joinable()) thread_.join();
  close(listen_fd_);
  close(wake_[0]);
  close(wake_[1]);
  listen_fd_ = -1;
}

void MetricsHttpServer::Serve() {
  std::list<Connection> connections;
  std::vector<pollfd> fds;
  while (true) {
    const absl::Time now = absl::Now();
    absl::Time next_deadline = now + absl::Seconds(1);
    fds.clear();
    fds.push_back({wake_[0], POLLIN, 0});
    fds.push_back({listen_fd_, POLLIN, 0});
    for (const Connection& c : connections) {
      fds.push_back({c.fd, static_cast<short>(c.writing ? POLLOUT : POLLIN), 0});
      next_deadline = std::min(next_deadline, c.deadline);
    }
    const int timeout_ms =
        static_cast<int>(std::max<int64_t>(0, absl::ToInt64Milliseconds(next_deadline - now) + 1));
    if (poll(fds.data(), fds.size(), timeout_ms) < 0 && errno != EINTR) break;
    if (fds[0].revents != 0) break;  // Stop()

    // Connections first, so that places freed now can be taken below.
    size_t i = 2;
    const absl::Time after = absl::Now();
    for (auto it = connections.begin(); it != connections.end(); ++i) {
      Connection& c = *it;
      bool done = after >= c.deadline;
      const short revents = fds[i].revents;
      if (!done && !c.writing && (revents & (POLLIN | POLLHUP | POLLERR))) {
        char buffer[4096];
        const ssize_t n = recv(c.fd, buffer, sizeof(buffer), 0);
        if (n <= 0) {
          done = n == 0 || (errno != EAGAIN && errno != EINTR);
        } else {
          c.request.append(buffer, n);
          const size_t end = c.request.find("\r\n\r\n");
          if (end != std::string::npos) {
            absl::string_view line(c.request.data(), c.request.find("\r\n"));
            if (!absl::StartsWith(line, "GET ")) {
              c.response = Response("405 Method Not Allowed", "text/plain", "GET only\n");
            } else if (absl::StartsWith(line, "GET /metrics ") ||
                       absl::StartsWith(line, "GET /metrics?")) {
              c.response = Response("200 OK", "text/plain; version=0.0.4; charset=utf-8",
                                    metrics_->RenderPrometheus());
            } else if (absl::StartsWith(line, "GET / ")) {
              c.response = Response("200 OK", "text/plain", "entente metrics: see /metrics\n");
            } else {
              c.response = Response("404 Not Found", "text/plain", "not found; see /metrics\n");
            }
          } else if (c.request.size() > kMaxRequestBytes) {
            c.response = Response("431 Request Header Fields Too Large", "text/plain", "");
          }
          if (!c.response.empty()) {
            c.writing = true;
            c.deadline = after + options_.io_timeout;
          }
        }
      } else if (!done && c.writing && (revents & (POLLOUT | POLLHUP | POLLERR))) {
        const ssize_t n =
            send(c.fd, c.response.data() + c.sent, c.response.size() - c.sent, MSG_NOSIGNAL);
        if (n > 0) c.sent += n;
        done = c.sent == c.response.size() || (n < 0 && errno != EAGAIN && errno != EINTR);
      }
      if (done) {
        close(c.fd);
        it = connections.erase(it);
      } else {
        ++it;
      }
    }

    if (fds[1].revents & POLLIN) {
      while (true) {
        const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) break;
        if (static_cast<int>(connections.size()) >= options_.max_connections) {
          metrics_->RecordRefusal("metrics_max_connections");
          static const std::string busy =
              Response("503 Service Unavailable", "text/plain", "too many connections\n");
          (void)!send(fd, busy.data(), busy.size(), MSG_NOSIGNAL);
          close(fd);
          continue;
        }
        Connection c;
        c.fd = fd;
        c.deadline = absl::Now() + options_.io_timeout;
        connections.push_back(std::move(c));
      }
    }
  }
  for (Connection& c : connections) close(c.fd);
}

}  // namespace entente
