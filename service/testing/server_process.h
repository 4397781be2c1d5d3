// File: service/testing/server_process.h
//
// Runs the real entente_server binary for tests: starts it with flags, reads
// the address it prints ("listening on HOST:PORT"), sends it signals, waits
// for its exit status, and keeps its stderr (the log) in a file. Also
// copies the bundled rules to a directory tests may edit.
//
//   absl::StatusOr<std::unique_ptr<entente::ServerProcess>> server =
//       entente::ServerProcess::Start({"--listen=127.0.0.1:0", "--rules=" + dir});
//   auto channel = grpc::CreateChannel((*server)->address(), grpc::InsecureChannelCredentials());
//   (*server)->Signal(SIGTERM);
//   absl::StatusOr<int> exit_status = (*server)->Wait(absl::Seconds(10));

#ifndef ENTENTE_SERVICE_TESTING_SERVER_PROCESS_H_
#define ENTENTE_SERVICE_TESTING_SERVER_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace entente {

// Not thread-safe; one thread drives a ServerProcess.
class ServerProcess {
 public:
  // Starts `binary` (default: the entente_server of the test's runfiles)
  // with `args`, and waits up to `timeout` for it to print its address.
  // Returns Unavailable (with its log) if it exits or stays silent.
  static absl::StatusOr<std::unique_ptr<ServerProcess>> Start(
      const std::vector<std::string>& args, absl::Duration timeout = absl::Seconds(180),
      const std::string& binary = "");

  // Runs `binary` (default as above) with `args` for a server that should
  // not start: waits up to `timeout` for it to exit, and returns its exit
  // status and what it wrote on stdout and stderr. DeadlineExceeded (after
  // killing it) if it is still running then.
  struct Exit {
    int status = -1;
    std::string output;
  };
  static absl::StatusOr<Exit> RunToExit(const std::vector<std::string>& args,
                                        absl::Duration timeout = absl::Seconds(180),
                                        const std::string& binary = "");

  // Kills the process (SIGKILL) if it still runs.
  ~ServerProcess();

  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // The address printed, with a wildcard host replaced by 127.0.0.1.
  const std::string& address() const { return address_; }
  // The metrics address printed, or empty.
  const std::string& metrics_address() const { return metrics_address_; }
  pid_t pid() const { return pid_; }

  void Signal(int signal_number);

  // Waits up to `timeout` for the process to exit. Returns its exit status,
  // 128 + the signal number if a signal killed it, or DeadlineExceeded.
  absl::StatusOr<int> Wait(absl::Duration timeout);

  // What the server has logged so far.
  std::string Log() const;

  // Waits up to `patience` for the log to contain `text`; true if it does.
  bool WaitForLog(const std::string& text, absl::Duration patience) const;

  // $ENTENTE_TEST_SERVER if set (to run the tests against another build),
  // else $TEST_SRCDIR/entente/service/entente_server.
  static std::string DefaultBinary();
  // The bundled rules in the runfiles.
  static std::string BundledRules();
  // A fresh directory under $TEST_TMPDIR.
  static std::string TempDir(const std::string& name);
  // Copies `from` (following symlinks) to a new directory `to`.
  static absl::Status CopyTree(const std::string& from, const std::string& to);

 private:
  ServerProcess() = default;

  pid_t pid_ = -1;
  bool exited_ = false;
  int stdout_fd_ = -1;
  std::string log_path_;
  std::string address_;
  std::string metrics_address_;
};

// Writes `contents` to `path` atomically (a temporary file, then rename), as
// editors and deployment tools do.
absl::Status WriteFileAtomically(const std::string& path, const std::string& contents);

}  // namespace entente

#endif  // ENTENTE_SERVICE_TESTING_SERVER_PROCESS_H_
