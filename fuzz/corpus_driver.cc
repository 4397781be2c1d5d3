// A main() for the fuzz targets outside libFuzzer: runs
// LLVMFuzzerTestOneInput once on every file of the directories (or files)
// given as arguments. Bazel builds each target with it as a test over its
// seed corpus, so that the seeds and every crash found and added to
// fuzz/corpus/ are replayed by `bazel test //...` and under the sanitizers.

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) __attribute__((weak));

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);
  // A seed folder that is missing or empty must fail: a test that runs no
  // input checks nothing.
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path p(argv[i]);
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      size_t before = files.size();
      for (const auto& entry : std::filesystem::directory_iterator(p))
        files.push_back(entry.path());
      if (files.size() == before) {
        std::fprintf(stderr, "corpus_driver: %s is empty\n", argv[i]);
        return 1;
      }
    } else if (std::filesystem::is_regular_file(p, ec)) {
      files.push_back(p);
    } else {
      std::fprintf(stderr, "corpus_driver: %s: no such file or directory\n", argv[i]);
      return 1;
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "corpus_driver: no inputs\n");
    return 1;
  }
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.eof() && in.fail()) {
      std::fprintf(stderr, "corpus_driver: cannot read %s\n", file.c_str());
      return 1;
    }
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(data.data()), data.size());
  }
  std::printf("corpus_driver: %zu inputs, no crash\n", files.size());
  return 0;
}
