// File: cli/line_reader.h
//
// Reads lines from a plain or gzip-compressed file, or from stdin ("-"), in
// large blocks. Lines may be of any length. Used by every command that reads
// a corpus (batch, coverage, diff).
//
//   entente::LineReader reader;
//   absl::Status s = reader.Open("corpus.jsonl.gz");
//   std::string line;
//   while (reader.Next(&line, &s)) Process(line);
//   if (!s.ok()) ...  // a read error, not the end of input

#ifndef ENTENTE_CLI_LINE_READER_H_
#define ENTENTE_CLI_LINE_READER_H_

#include <zlib.h>

#include <cstdint>
#include <string>

#include "absl/status/status.h"

namespace entente {

// Not thread-safe. Not copyable.
class LineReader {
 public:
  LineReader() = default;
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;
  ~LineReader();

  // Opens `path` ("-" for stdin); gzip input is detected and decompressed.
  // Returns NotFound if it cannot be opened.
  absl::Status Open(const std::string& path);

  // Reads the next line (without its '\n') into *line; false at the end of
  // input or on a read error, which is then stored in *status.
  bool Next(std::string* line, absl::Status* status);

  // Bytes of the (possibly compressed) file consumed so far, and its size
  // (0 for stdin).
  int64_t consumed() const;
  int64_t size() const { return static_cast<int64_t>(size_); }

 private:
  std::string path_;
  gzFile file_ = nullptr;
  std::string buffer_;
  size_t pos_ = 0;
  bool eof_ = false;
  uintmax_t size_ = 0;
};

}  // namespace entente

#endif  // ENTENTE_CLI_LINE_READER_H_
