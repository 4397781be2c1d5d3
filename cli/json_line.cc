#include "cli/json_line.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "engine/utf8.h"

namespace entente {
namespace {

constexpr int kMaxDepth = 64;

class Parser {
 public:
  explicit Parser(absl::string_view s) : s_(s) {}

  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat("bad JSON at byte ", pos_, ": ", what));
  }

  void SkipSpace() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }

  // Parses a string literal into *out (if not null).
  absl::Status String(std::string* out) {
    if (Peek() != '"') return Error("expected a string");
    ++pos_;
    if (out != nullptr) out->clear();
    while (pos_ < s_.size()) {
      // Copy runs of plain bytes at once.
      size_t start = pos_;
      while (pos_ < s_.size() && s_[pos_] != '"' && s_[pos_] != '\\' &&
             static_cast<unsigned char>(s_[pos_]) >= 0x20) {
        ++pos_;
      }
      if (out != nullptr) out->append(s_.data() + start, pos_ - start);
      if (pos_ >= s_.size()) break;
      char c = s_[pos_];
      if (c == '"') {
        ++pos_;
        return absl::OkStatus();
      }
      if (static_cast<unsigned char>(c) < 0x20) return Error("control character in string");
      // Backslash escape.
      if (++pos_ >= s_.size()) break;
      char e = s_[pos_++];
      char plain = 0;
      switch (e) {
        case '"':
          plain = '"';
          break;
        case '\\':
          plain = '\\';
          break;
        case '/':
          plain = '/';
          break;
        case 'b':
          plain = '\b';
          break;
        case 'f':
          plain = '\f';
          break;
        case 'n':
          plain = '\n';
          break;
        case 'r':
          plain = '\r';
          break;
        case 't':
          plain = '\t';
          break;
        case 'u': {
          uint32_t cp = 0;
          if (!Hex4(&cp)) return Error("bad \\u escape");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t low = 0;
            if (pos_ + 1 < s_.size() && s_[pos_] == '\\' && s_[pos_ + 1] == 'u') {
              pos_ += 2;
              if (!Hex4(&low) || low < 0xDC00 || low > 0xDFFF) {
                return Error("unpaired surrogate in \\u escape");
              }
              cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            } else {
              return Error("unpaired surrogate in \\u escape");
            }
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return Error("unpaired surrogate in \\u escape");
          }
          if (out != nullptr) AppendUtf8(cp, out);
          continue;
        }
        default:
          return Error("bad escape");
      }
      if (out != nullptr) out->push_back(plain);
    }
    return Error("unterminated string");
  }

  // Parses any value; when `out` is not null and the value is a scalar,
  // stores its text (strings unescaped) and whether it was a string.
  absl::Status Value(int depth, std::string* out, bool* is_string, bool* is_null) {
    if (depth > kMaxDepth) return Error("nesting too deep");
    SkipSpace();
    char c = Peek();
    if (is_string != nullptr) *is_string = false;
    if (is_null != nullptr) *is_null = false;
    if (c == '"') {
      if (is_string != nullptr) *is_string = true;
      return String(out);
    }
    if (c == '{') return Object(depth + 1, nullptr);
    if (c == '[') {
      ++pos_;
      SkipSpace();
      if (Peek() == ']') {
        ++pos_;
        return absl::OkStatus();
      }
      for (;;) {
        absl::Status s = Value(depth + 1, nullptr, nullptr, nullptr);
        if (!s.ok()) return s;
        SkipSpace();
        if (Peek() == ',') {
          ++pos_;
          continue;
        }
        if (Peek() == ']') {
          ++pos_;
          return absl::OkStatus();
        }
        return Error("expected ',' or ']'");
      }
    }
    size_t start = pos_;
    if (Literal("true") || Literal("false")) {
    } else if (Literal("null")) {
      if (is_null != nullptr) *is_null = true;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      if (!Number()) return Error("bad number");
    } else {
      return Error("expected a value");
    }
    if (out != nullptr) out->assign(s_.data() + start, pos_ - start);
    return absl::OkStatus();
  }

  // Parses an object; at the top level (fields != null) extracts fields.
  absl::Status Object(int depth, JsonFields* fields);

  size_t pos() const { return pos_; }

 private:
  bool Literal(absl::string_view word) {
    if (s_.substr(pos_, word.size()) == word) {
      pos_ += word.size();
      return true;
    }
    return false;
  }

  bool Number() {
    size_t start = pos_;
    if (Peek() == '-') ++pos_;
    if (Peek() == '0') {
      ++pos_;
    } else if (Peek() >= '1' && Peek() <= '9') {
      while (Peek() >= '0' && Peek() <= '9') ++pos_;
    } else {
      return false;
    }
    if (Peek() == '.') {
      ++pos_;
      if (!(Peek() >= '0' && Peek() <= '9')) return false;
      while (Peek() >= '0' && Peek() <= '9') ++pos_;
    }
    if (Peek() == 'e' || Peek() == 'E') {
      ++pos_;
      if (Peek() == '+' || Peek() == '-') ++pos_;
      if (!(Peek() >= '0' && Peek() <= '9')) return false;
      while (Peek() >= '0' && Peek() <= '9') ++pos_;
    }
    return pos_ > start;
  }

  bool Hex4(uint32_t* out) {
    if (pos_ + 4 > s_.size()) return false;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = s_[pos_ + i];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= c - '0';
      } else if (c >= 'a' && c <= 'f') {
        v |= c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        v |= c - 'A' + 10;
      } else {
        return false;
      }
    }
    pos_ += 4;
    *out = v;
    return true;
  }

  absl::string_view s_;
  size_t pos_ = 0;
};

absl::Status Parser::Object(int depth, JsonFields* fields) {
  if (depth > kMaxDepth) return Error("nesting too deep");
  SkipSpace();
  if (Peek() != '{') return Error("expected an object");
  ++pos_;
  SkipSpace();
  if (Peek() == '}') {
    ++pos_;
    return absl::OkStatus();
  }
  std::string key;
  for (;;) {
    SkipSpace();
    absl::Status s = String(&key);
    if (!s.ok()) return s;
    SkipSpace();
    if (Peek() != ':') return Error("expected ':'");
    ++pos_;
    int wanted = fields != nullptr ? fields->IndexOf(key) : -1;
    if (wanted >= 0) {
      bool is_string = false;
      bool is_null = false;
      s = Value(depth, fields->mutable_value(wanted), &is_string, &is_null);
      if (!s.ok()) return s;
      fields->MarkFound(wanted, !is_null, is_string);
    } else {
      s = Value(depth, nullptr, nullptr, nullptr);
      if (!s.ok()) return s;
    }
    SkipSpace();
    if (Peek() == ',') {
      ++pos_;
      continue;
    }
    if (Peek() == '}') {
      ++pos_;
      return absl::OkStatus();
    }
    return Error("expected ',' or '}'");
  }
}

}  // namespace

int JsonFields::IndexOf(absl::string_view key) const {
  for (size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == key) return static_cast<int>(i);
  }
  return -1;
}

void JsonFields::Reset() {
  for (size_t i = 0; i < names_.size(); ++i) {
    values_[i].clear();
    found_[i] = false;
    is_string_[i] = false;
  }
}

absl::Status ParseJsonObject(absl::string_view line, JsonFields* fields) {
  fields->Reset();
  Parser parser(line);
  parser.SkipSpace();
  if (parser.Peek() != '{') return parser.Error("a line must be a JSON object");
  absl::Status s = parser.Object(1, fields);
  if (!s.ok()) return s;
  parser.SkipSpace();
  if (!parser.AtEnd()) return parser.Error("text after the object");
  return absl::OkStatus();
}

void AppendJsonString(absl::string_view s, std::string* out) {
  static const char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (u < 0x20) {
          out->append("\\u00");
          out->push_back(kHex[u >> 4]);
          out->push_back(kHex[u & 15]);
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

}  // namespace entente
