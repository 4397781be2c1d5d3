#include "cli/line_reader.h"

#include <unistd.h>

#include <filesystem>

#include "absl/strings/str_cat.h"

namespace entente {

LineReader::~LineReader() {
  if (file_ != nullptr) gzclose(file_);
}

absl::Status LineReader::Open(const std::string& path) {
  path_ = path;
  file_ = path == "-" ? gzdopen(dup(0), "rb") : gzopen(path.c_str(), "rb");
  if (file_ == nullptr) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  gzbuffer(file_, 1 << 18);
  std::error_code ec;
  if (path != "-") size_ = std::filesystem::file_size(path, ec);
  if (ec) size_ = 0;
  return absl::OkStatus();
}

bool LineReader::Next(std::string* line, absl::Status* status) {
  line->clear();
  for (;;) {
    if (pos_ < buffer_.size()) {
      size_t nl = buffer_.find('\n', pos_);
      if (nl != std::string::npos) {
        line->append(buffer_, pos_, nl - pos_);
        pos_ = nl + 1;
        return true;
      }
      line->append(buffer_, pos_, std::string::npos);
      pos_ = buffer_.size();
    }
    if (eof_) return !line->empty();
    buffer_.resize(1 << 20);
    int n = gzread(file_, buffer_.data(), static_cast<unsigned>(buffer_.size()));
    if (n < 0) {
      int err = 0;
      *status = absl::DataLossError(absl::StrCat(path_, ": ", gzerror(file_, &err)));
      return false;
    }
    buffer_.resize(n);
    pos_ = 0;
    if (n == 0) eof_ = true;
  }
}

int64_t LineReader::consumed() const { return file_ != nullptr ? gzoffset(file_) : 0; }

}  // namespace entente
