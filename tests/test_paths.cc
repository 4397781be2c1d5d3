#include "tests/test_paths.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace entente {
namespace testing {

namespace fs = std::filesystem;

std::string RunfilesPath(const std::string& relative) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  std::string base = srcdir != nullptr ? std::string(srcdir) + "/entente" : ".";
  return base + "/" + relative;
}

std::string SharedPath(const std::string& relative) {
  if (const char* env = std::getenv("ENTENTE_SHARED"); env != nullptr && *env != '\0') {
    return std::string(env) + "/" + relative;
  }
  // The runfiles' rule files are links into the source tree; the shared
  // folder sits beside the source tree.
  std::error_code ec;
  fs::path rule = fs::canonical(RunfilesPath("rules/default.textproto"), ec);
  if (ec) return "";
  fs::path shared = rule.parent_path().parent_path().parent_path() / "shared";
  if (!fs::is_directory(shared, ec)) return "";
  return (shared / relative).string();
}

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string MakeTempDir(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  fs::path dir = fs::path(tmp != nullptr ? tmp : "/tmp") / name;
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  return dir.string();
}

}  // namespace testing
}  // namespace entente
