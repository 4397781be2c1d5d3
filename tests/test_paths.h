// File: tests/test_paths.h
//
// Paths for tests: files in the test's runfiles (the bundled rules), and the
// team's shared material (../shared beside the source tree: the gold data
// and the seed article). The shared folder is found from the real location
// of the runfiles' rule files, or from $ENTENTE_SHARED.
//
//   std::string rules = entente::testing::RunfilesPath("rules");
//   std::string dev = entente::testing::SharedPath("data/dev.jsonl");

#ifndef ENTENTE_TESTS_TEST_PATHS_H_
#define ENTENTE_TESTS_TEST_PATHS_H_

#include <string>

namespace entente {
namespace testing {

// The path of `relative` (e.g. "rules") in the test's runfiles.
std::string RunfilesPath(const std::string& relative);

// The path of `relative` under the shared folder; empty if the shared
// folder cannot be found.
std::string SharedPath(const std::string& relative);

// Reads a whole file; empty if it cannot be read.
std::string ReadFileOrEmpty(const std::string& path);

// A fresh temporary directory under $TEST_TMPDIR.
std::string MakeTempDir(const std::string& name);

}  // namespace testing
}  // namespace entente

#endif  // ENTENTE_TESTS_TEST_PATHS_H_
