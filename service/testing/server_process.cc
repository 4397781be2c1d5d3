#include "service/testing/server_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"

namespace entente {
namespace {

std::string Env(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

// Replaces a wildcard host with loopback, so that clients can dial it.
std::string Dialable(std::string address) {
  for (absl::string_view wildcard : {"0.0.0.0:", "[::]:"}) {
    if (absl::StartsWith(address, wildcard)) {
      return absl::StrCat("127.0.0.1:", address.substr(wildcard.size()));
    }
  }
  return address;
}

}  // namespace

std::string ServerProcess::DefaultBinary() {
  return Env("ENTENTE_TEST_SERVER",
             absl::StrCat(Env("TEST_SRCDIR", "."), "/entente/service/entente_server"));
}

std::string ServerProcess::BundledRules() {
  return absl::StrCat(Env("TEST_SRCDIR", "."), "/entente/rules");
}

std::string ServerProcess::TempDir(const std::string& name) {
  static int counter = 0;
  std::string dir =
      absl::StrCat(Env("TEST_TMPDIR", "/tmp"), "/", name, "-", getpid(), "-", ++counter);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  std::filesystem::create_directories(dir, ec);
  return dir;
}

absl::Status ServerProcess::CopyTree(const std::string& from, const std::string& to) {
  std::error_code ec;
  std::filesystem::copy(from, to, std::filesystem::copy_options::recursive, ec);
  if (ec) return absl::InternalError(absl::StrCat("copy ", from, " to ", to, ": ", ec.message()));
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<ServerProcess>> ServerProcess::Start(
    const std::vector<std::string>& args, absl::Duration timeout, const std::string& binary) {
  std::unique_ptr<ServerProcess> process(new ServerProcess());
  const std::string path = binary.empty() ? DefaultBinary() : binary;
  process->log_path_ = absl::StrCat(TempDir("server-log"), "/stderr.log");

  int out[2];
  if (pipe(out) != 0) return absl::InternalError("pipe failed");
  std::vector<std::string> argv_storage = {path};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);

  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    const int err = open(process->log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (err >= 0) dup2(err, STDERR_FILENO);
    close(out[0]);
    close(out[1]);
    for (const char* proxy : {"http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY",
                              "grpc_proxy", "no_proxy", "NO_PROXY"}) {
      unsetenv(proxy);
    }
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out[1]);
  process->pid_ = pid;
  process->stdout_fd_ = out[0];

  std::string buffer;
  const absl::Time deadline = absl::Now() + timeout;
  while (process->address_.empty()) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::UnavailableError(
          absl::StrCat("server did not print its address in time; log:\n", process->Log()));
    }
    pollfd fd = {process->stdout_fd_, POLLIN, 0};
    if (poll(&fd, 1, static_cast<int>(absl::ToInt64Milliseconds(left))) <= 0) continue;
    char chunk[512];
    const ssize_t n = read(process->stdout_fd_, chunk, sizeof(chunk));
    if (n <= 0) {
      return absl::UnavailableError(
          absl::StrCat("server exited before serving; log:\n", process->Log()));
    }
    buffer.append(chunk, n);
    size_t newline;
    while ((newline = buffer.find('\n')) != std::string::npos) {
      absl::string_view line(buffer.data(), newline);
      if (absl::ConsumePrefix(&line, "metrics on ")) {
        process->metrics_address_ = Dialable(std::string(line));
      } else if (absl::ConsumePrefix(&line, "listening on ")) {
        process->address_ = Dialable(std::string(line));
      }
      buffer.erase(0, newline + 1);
    }
  }
  return process;
}

absl::StatusOr<ServerProcess::Exit> ServerProcess::RunToExit(const std::vector<std::string>& args,
                                                             absl::Duration timeout,
                                                             const std::string& binary) {
  const std::string path = binary.empty() ? DefaultBinary() : binary;
  const std::string output = absl::StrCat(TempDir("server-exit"), "/output");
  std::vector<std::string> argv_storage = {path};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    const int fd = open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
    }
    execv(argv[0], argv.data());
    _exit(127);
  }
  Exit exit;
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      exit.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      break;
    }
    if (absl::Now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
      return absl::DeadlineExceededError("the server did not exit");
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  std::ifstream in(output);
  std::stringstream contents;
  contents << in.rdbuf();
  exit.output = contents.str();
  return exit;
}

bool ServerProcess::WaitForLog(const std::string& text, absl::Duration patience) const {
  const absl::Time deadline = absl::Now() + patience;
  while (!absl::StrContains(Log(), text)) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return true;
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0 && !exited_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (stdout_fd_ >= 0) close(stdout_fd_);
}

void ServerProcess::Signal(int signal_number) {
  if (pid_ > 0 && !exited_) kill(pid_, signal_number);
}

absl::StatusOr<int> ServerProcess::Wait(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!exited_) {
    int status = 0;
    const pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      exited_ = true;
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
      return -1;
    }
    if (absl::Now() > deadline) return absl::DeadlineExceededError("server still running");
    absl::SleepFor(absl::Milliseconds(10));
  }
  return absl::FailedPreconditionError("already waited for");
}

std::string ServerProcess::Log() const {
  std::ifstream in(log_path_);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

absl::Status WriteFileAtomically(const std::string& path, const std::string& contents) {
  const std::string temporary = absl::StrCat(path, ".tmp-", getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << contents;
    if (!out) return absl::InternalError(absl::StrCat("cannot write ", temporary));
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) return absl::InternalError(absl::StrCat("rename to ", path, ": ", ec.message()));
  return absl::OkStatus();
}

}  // namespace entente
