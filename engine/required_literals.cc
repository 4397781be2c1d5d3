#include "engine/required_literals.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "engine/utf8.h"
#include "re2/re2.h"

namespace entente {
namespace {

// What the pattern requires, before it is turned into clauses.
struct Node {
  enum class Kind { kTrue, kLiteral, kAnd, kOr };
  Kind kind = Kind::kTrue;
  RequiredLiteral literal;
  std::vector<Node> children;

  static Node True() { return Node(); }
};

// Nesting deeper than this is left unanalysed (it requires nothing).
constexpr int kMaxDepth = 200;
// Clauses kept per node, and literals per clause. Dropping a clause only
// weakens the condition; a clause of a thousand literals selects little and
// costs time to build.
constexpr size_t kMaxClauses = 64;
constexpr size_t kMaxClauseLiterals = 1000;

bool IsHex(char c) { return absl::ascii_isxdigit(static_cast<unsigned char>(c)); }

uint32_t HexValue(char c) {
  return absl::ascii_isdigit(static_cast<unsigned char>(c))
             ? static_cast<uint32_t>(c - '0')
             : static_cast<uint32_t>(absl::ascii_tolower(static_cast<unsigned char>(c)) - 'a' + 10);
}

// A recursive-descent walk over RE2 syntax. Sets failed_ on anything it
// does not recognise; the caller then treats the whole pattern as requiring
// nothing.
class Walker {
 public:
  explicit Walker(absl::string_view pattern) : p_(pattern) {}

  Node Run() {
    Node node = Alternation(0);
    if (pos_ != p_.size()) failed_ = true;
    return node;
  }
  bool failed() const { return failed_; }

 private:
  // One element of a concatenation before its repetition operator.
  struct Item {
    enum class Kind { kChars, kZeroWidth, kNode } kind = Kind::kNode;
    std::string chars;      // kChars: one character, lower-cased
    bool boundary = false;  // kZeroWidth: \b
    Node node;              // kNode
  };

  bool AtEnd() const { return pos_ >= p_.size(); }
  char Peek() const { return AtEnd() ? '\0' : p_[pos_]; }

  Node Alternation(int depth) {
    if (depth > kMaxDepth) {
      failed_ = true;
      return Node::True();
    }
    Node first = Concatenation(depth);
    if (Peek() != '|') return first;
    Node alt;
    alt.kind = Node::Kind::kOr;
    alt.children.push_back(std::move(first));
    while (!failed_ && Peek() == '|') {
      ++pos_;
      alt.children.push_back(Concatenation(depth));
    }
    return alt;
  }

  Node Concatenation(int depth) {
    Node all;
    all.kind = Node::Kind::kAnd;
    std::string run;
    bool run_word_start = false;
    bool after_boundary = false;
    auto flush = [&](bool word_end) {
      if (!run.empty()) {
        Node lit;
        lit.kind = Node::Kind::kLiteral;
        lit.literal = {run, run_word_start, word_end};
        all.children.push_back(std::move(lit));
        run.clear();
      }
      run_word_start = false;
    };
    while (!failed_ && !AtEnd() && Peek() != '|' && Peek() != ')') {
      Item item = ParseItem(depth);
      if (failed_) break;
      int min_repeat = 1;
      const bool repeated = ParseRepetition(&min_repeat);
      if (failed_) break;
      if (item.kind == Item::Kind::kChars && !repeated) {
        if (run.empty()) run_word_start = after_boundary;
        after_boundary = false;
        run += item.chars;
        continue;
      }
      const bool boundary = item.kind == Item::Kind::kZeroWidth && item.boundary && !repeated;
      flush(boundary);
      after_boundary = boundary;
      if (min_repeat == 0) continue;
      if (item.kind == Item::Kind::kChars) {
        Node lit;
        lit.kind = Node::Kind::kLiteral;
        lit.literal.text = item.chars;
        all.children.push_back(std::move(lit));
      } else if (item.kind == Item::Kind::kNode) {
        all.children.push_back(std::move(item.node));
      }
    }
    flush(false);
    return all;
  }

  // Parses a repetition operator, if any: *, +, ?, {n}, {n,}, {n,m}, each
  // optionally followed by ? (non-greedy). Sets *min_repeat.
  bool ParseRepetition(int* min_repeat) {
    char c = Peek();
    if (c == '*' || c == '?') {
      *min_repeat = 0;
      ++pos_;
    } else if (c == '+') {
      *min_repeat = 1;
      ++pos_;
    } else if (c == '{') {
      size_t end = 0;
      int lo = 0;
      if (!RepeatBraces(pos_, &lo, &end)) return false;  // a literal '{'
      *min_repeat = lo;
      pos_ = end;
    } else {
      return false;
    }
    if (Peek() == '?') ++pos_;
    // RE2 rejects a second operator ("a**"); do not guess what it means.
    char n = Peek();
    size_t unused_end;
    int unused_lo;
    if (n == '*' || n == '+' || n == '?' ||
        (n == '{' && RepeatBraces(pos_, &unused_lo, &unused_end))) {
      failed_ = true;
    }
    return true;
  }

  // True if p_[at..] is {n}, {n,} or {n,m}; sets *lo and *end (one past '}').
  bool RepeatBraces(size_t at, int* lo, size_t* end) const {
    size_t i = at + 1;
    size_t digits = 0;
    int value = 0;
    while (i < p_.size() && absl::ascii_isdigit(static_cast<unsigned char>(p_[i]))) {
      if (value < 100000) value = value * 10 + (p_[i] - '0');
      ++i;
      ++digits;
    }
    if (digits == 0 || i >= p_.size()) return false;
    if (p_[i] == ',') {
      ++i;
      while (i < p_.size() && absl::ascii_isdigit(static_cast<unsigned char>(p_[i]))) ++i;
    }
    if (i >= p_.size() || p_[i] != '}') return false;
    *lo = value;
    *end = i + 1;
    return true;
  }

  Item ParseItem(int depth) {
    Item item;
    const char c = Peek();
    switch (c) {
      case '(':
        return ParseGroup(depth);
      case '[':
        SkipClass();
        return item;  // any one of a set of characters: requires nothing
      case '.':
        ++pos_;
        return item;
      case '^':
      case '$':
        ++pos_;
        item.kind = Item::Kind::kZeroWidth;
        return item;
      case '\\':
        return ParseEscape();
      case '*':
      case '+':
      case '?':
        failed_ = true;  // a repetition with nothing to repeat
        return item;
      default:
        break;
    }
    // A literal character: one UTF-8 sequence.
    const unsigned char lead = static_cast<unsigned char>(c);
    size_t length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
    if (length == 0 || pos_ + length > p_.size()) {
      failed_ = true;
      return item;
    }
    item.kind = Item::Kind::kChars;
    item.chars = std::string(p_.substr(pos_, length));
    if (length == 1) item.chars[0] = absl::ascii_tolower(lead);
    pos_ += length;
    return item;
  }

  Item ParseGroup(int depth) {
    Item item;
    ++pos_;  // '('
    if (Peek() == '?') {
      ++pos_;
      if (Peek() == 'P' || Peek() == '<') {
        // (?P<name>...) or (?<name>...): a capturing group.
        if (Peek() == 'P') ++pos_;
        if (Peek() != '<') {
          failed_ = true;
          return item;
        }
        size_t close = p_.find('>', pos_);
        if (close == absl::string_view::npos) {
          failed_ = true;
          return item;
        }
        pos_ = close + 1;
      } else {
        // Flags: (?flags) or (?flags:...).
        while (!AtEnd() && absl::string_view("imsU-").find(Peek()) != absl::string_view::npos) {
          ++pos_;
        }
        if (Peek() == ')') {
          ++pos_;
          item.kind = Item::Kind::kZeroWidth;
          return item;
        }
        if (Peek() != ':') {
          failed_ = true;
          return item;
        }
        ++pos_;
      }
    }
    item.node = Alternation(depth + 1);
    if (failed_ || Peek() != ')') {
      failed_ = true;
      return item;
    }
    ++pos_;
    return item;
  }

  // Skips a bracketed class [...] (contents do not matter: a class requires
  // nothing).
  void SkipClass() {
    size_t i = pos_ + 1;
    if (i < p_.size() && p_[i] == '^') ++i;
    if (i < p_.size() && p_[i] == ']') ++i;  // a leading ] is a literal
    while (i < p_.size() && p_[i] != ']') {
      if (p_[i] == '\\') {
        i += 2;
      } else if (p_[i] == '[' && i + 1 < p_.size() && p_[i + 1] == ':') {
        size_t close = p_.find(":]", i + 2);
        if (close == absl::string_view::npos) break;
        i = close + 2;
      } else {
        ++i;
      }
    }
    if (i >= p_.size()) {
      failed_ = true;
      return;
    }
    pos_ = i + 1;
  }

  Item ParseEscape() {
    Item item;
    if (pos_ + 1 >= p_.size()) {
      failed_ = true;
      return item;
    }
    const char e = p_[pos_ + 1];
    pos_ += 2;
    const unsigned char ue = static_cast<unsigned char>(e);
    if (ue >= 0x80) {
      failed_ = true;
      return item;
    }
    if (!absl::ascii_isalnum(ue)) {  // \. \- \( ... : the character itself
      item.kind = Item::Kind::kChars;
      item.chars = std::string(1, e);
      return item;
    }
    switch (e) {
      case 'b':
        item.kind = Item::Kind::kZeroWidth;
        item.boundary = true;
        return item;
      case 'B':
      case 'A':
      case 'z':
        item.kind = Item::Kind::kZeroWidth;
        return item;
      case 'd':
      case 'D':
      case 's':
      case 'S':
      case 'w':
      case 'W':
      case 'C':
        return item;  // a class: requires nothing
      case 'p':
      case 'P':
        if (Peek() == '{') {
          size_t close = p_.find('}', pos_);
          if (close == absl::string_view::npos) {
            failed_ = true;
            return item;
          }
          pos_ = close + 1;
        } else if (!AtEnd()) {
          ++pos_;
        } else {
          failed_ = true;
        }
        return item;
      case 'a':
      case 'f':
      case 't':
      case 'n':
      case 'r':
      case 'v': {
        static constexpr absl::string_view kFrom = "aftnrv";
        static constexpr absl::string_view kTo = "\a\f\t\n\r\v";
        item.kind = Item::Kind::kChars;
        item.chars = std::string(1, kTo[kFrom.find(e)]);
        return item;
      }
      case 'x': {
        uint32_t cp = 0;
        if (Peek() == '{') {
          size_t close = p_.find('}', pos_);
          if (close == absl::string_view::npos || close == pos_ + 1 || close - pos_ > 9) {
            failed_ = true;
            return item;
          }
          for (size_t i = pos_ + 1; i < close; ++i) {
            if (!IsHex(p_[i])) {
              failed_ = true;
              return item;
            }
            cp = cp * 16 + HexValue(p_[i]);
          }
          pos_ = close + 1;
        } else {
          if (pos_ + 2 > p_.size() || !IsHex(p_[pos_]) || !IsHex(p_[pos_ + 1])) {
            failed_ = true;
            return item;
          }
          cp = HexValue(p_[pos_]) * 16 + HexValue(p_[pos_ + 1]);
          pos_ += 2;
        }
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
          failed_ = true;
          return item;
        }
        item.kind = Item::Kind::kChars;
        if (cp < 0x80)
          cp = static_cast<uint32_t>(absl::ascii_tolower(static_cast<unsigned char>(cp)));
        AppendUtf8(cp, &item.chars);
        return item;
      }
      default:
        // \Q...\E, octal escapes and anything newer: not analysed.
        failed_ = true;
        return item;
    }
  }

  absl::string_view p_;
  size_t pos_ = 0;
  bool failed_ = false;
};

using Clause = LiteralClause;
using Cnf = std::vector<Clause>;

// True if every text containing `y` contains `x`.
bool Implies(const RequiredLiteral& y, const RequiredLiteral& x) {
  if (x.word_start || x.word_end) {
    return y.text == x.text && (y.word_start || !x.word_start) && (y.word_end || !x.word_end);
  }
  return y.text.find(x.text) != std::string::npos;
}

// How often a literal is expected to occur: shorter is commoner. Only used
// to choose among sound conditions.
double Cost(const RequiredLiteral& literal) {
  double n = static_cast<double>(literal.text.size()) + (literal.word_start ? 1 : 0) +
             (literal.word_end ? 1 : 0);
  return 1.0 / (n * n * n);
}

double Cost(const Clause& clause) {
  double cost = 0;
  for (const RequiredLiteral& literal : clause) cost += Cost(literal);
  return cost;
}

// Sorts, removes duplicates and literals that another literal of the clause
// already covers (if "cease" is in the text whenever "ceasefire" is, the
// clause needs only "cease").
void ReduceClause(Clause* clause) {
  std::sort(clause->begin(), clause->end());
  clause->erase(std::unique(clause->begin(), clause->end()), clause->end());
  Clause kept;
  for (size_t i = 0; i < clause->size(); ++i) {
    bool covered = false;
    for (size_t j = 0; j < clause->size() && !covered; ++j) {
      if (i == j) continue;
      const bool j_implied_by_i = Implies((*clause)[i], (*clause)[j]);
      // Of two literals that imply each other (equal), keep the first.
      covered = j_implied_by_i && (!Implies((*clause)[j], (*clause)[i]) || j < i);
    }
    if (!covered) kept.push_back((*clause)[i]);
  }
  *clause = std::move(kept);
}

bool IsSubset(const Clause& small, const Clause& big) {
  return std::includes(big.begin(), big.end(), small.begin(), small.end());
}

// Reduces every clause, drops duplicates and clauses a smaller clause
// implies, and keeps at most kMaxClauses (the cheapest).
void Simplify(Cnf* cnf) {
  for (Clause& clause : *cnf) ReduceClause(&clause);
  std::sort(cnf->begin(), cnf->end());
  cnf->erase(std::unique(cnf->begin(), cnf->end()), cnf->end());
  Cnf kept;
  for (size_t i = 0; i < cnf->size(); ++i) {
    bool redundant = false;
    for (size_t j = 0; j < cnf->size() && !redundant; ++j) {
      if (i != j && (*cnf)[j].size() < (*cnf)[i].size() && IsSubset((*cnf)[j], (*cnf)[i])) {
        redundant = true;
      }
    }
    if (!redundant) kept.push_back((*cnf)[i]);
  }
  if (kept.size() > kMaxClauses) {
    std::stable_sort(kept.begin(), kept.end(),
                     [](const Clause& a, const Clause& b) { return Cost(a) < Cost(b); });
    kept.resize(kMaxClauses);
    std::sort(kept.begin(), kept.end());
  }
  *cnf = std::move(kept);
}

Cnf ToCnf(const Node& node, const RequiredLiteralOptions& options) {
  switch (node.kind) {
    case Node::Kind::kTrue:
      return {};
    case Node::Kind::kLiteral: {
      RequiredLiteral literal = node.literal;
      const int n = static_cast<int>(literal.text.size());
      if (n > options.max_bounded_length) literal.word_start = literal.word_end = false;
      const bool bounded = literal.word_start && literal.word_end;
      if (n >= options.min_length || (bounded && n >= options.min_bounded_length)) {
        return {{literal}};
      }
      return {};
    }
    case Node::Kind::kAnd: {
      Cnf out;
      for (const Node& child : node.children) {
        Cnf c = ToCnf(child, options);
        out.insert(out.end(), std::make_move_iterator(c.begin()), std::make_move_iterator(c.end()));
      }
      Simplify(&out);
      return out;
    }
    case Node::Kind::kOr: {
      std::vector<Cnf> branches;
      for (const Node& child : node.children) {
        branches.push_back(ToCnf(child, options));
        if (branches.back().empty()) return {};  // one branch requires nothing
      }
      // Clauses every branch has hold for the alternation as they are.
      Cnf common;
      for (const Clause& clause : branches[0]) {
        bool everywhere = true;
        for (size_t b = 1; b < branches.size() && everywhere; ++b) {
          everywhere =
              std::find(branches[b].begin(), branches[b].end(), clause) != branches[b].end();
        }
        if (everywhere) common.push_back(clause);
      }
      std::vector<Cnf> rest(branches.size());
      for (size_t b = 0; b < branches.size(); ++b) {
        for (Clause& clause : branches[b]) {
          if (std::find(common.begin(), common.end(), clause) == common.end()) {
            rest[b].push_back(std::move(clause));
          }
        }
        if (rest[b].empty()) {  // this branch requires only the common clauses
          Simplify(&common);
          return common;
        }
        std::stable_sort(rest[b].begin(), rest[b].end(),
                         [](const Clause& x, const Clause& y) { return Cost(x) < Cost(y); });
      }
      // (A1 and A2) or (B1) == (A1 or B1) and (A2 or B1): distribute, taking
      // more clauses of each branch while the product stays small.
      std::vector<size_t> keep(rest.size(), 1);
      const size_t cap = static_cast<size_t>(std::max(1, options.max_alternation_clauses));
      size_t count = 1;  // product of keep[]
      for (bool grew = true; grew;) {
        grew = false;
        for (size_t b = 0; b < rest.size(); ++b) {
          if (keep[b] >= rest[b].size()) continue;
          const size_t bigger = count / keep[b] * (keep[b] + 1);
          if (bigger <= cap) {
            count = bigger;
            ++keep[b];
            grew = true;
          }
        }
      }
      Cnf product = {Clause()};
      bool too_big = false;
      for (size_t b = 0; b < rest.size() && !too_big; ++b) {
        if (keep[b] == 1) {  // extend each clause in place: no copies
          for (Clause& partial : product) {
            partial.insert(partial.end(), rest[b][0].begin(), rest[b][0].end());
            too_big = too_big || partial.size() > kMaxClauseLiterals;
          }
          continue;
        }
        Cnf next;
        for (const Clause& partial : product) {
          for (size_t k = 0; k < keep[b]; ++k) {
            Clause merged = partial;
            merged.insert(merged.end(), rest[b][k].begin(), rest[b][k].end());
            too_big = too_big || merged.size() > kMaxClauseLiterals;
            next.push_back(std::move(merged));
          }
        }
        product = std::move(next);
      }
      if (!too_big) {
        for (Clause& clause : product) ReduceClause(&clause);
        common.insert(common.end(), std::make_move_iterator(product.begin()),
                      std::make_move_iterator(product.end()));
      }
      Simplify(&common);
      return common;
    }
  }
  return {};
}

}  // namespace

std::string RequiredLiteral::ToRegex() const {
  return absl::StrCat("(?i)", word_start ? "\\b" : "",
                      RE2::QuoteMeta(re2::StringPiece(text.data(), text.size())),
                      word_end ? "\\b" : "");
}

bool RequiredLiteral::operator<(const RequiredLiteral& other) const {
  return std::tie(text, word_start, word_end) <
         std::tie(other.text, other.word_start, other.word_end);
}

LiteralCondition RequiredLiterals(absl::string_view pattern,
                                  const RequiredLiteralOptions& options) {
  Walker walker(pattern);
  Node root = walker.Run();
  LiteralCondition condition;
  if (walker.failed()) return condition;
  condition.clauses = ToCnf(root, options);
  return condition;
}

bool SatisfiesCondition(const LiteralCondition& condition, absl::string_view text) {
  re2::StringPiece input(text.data(), text.size());
  for (const LiteralClause& clause : condition.clauses) {
    bool any = false;
    for (const RequiredLiteral& literal : clause) {
      RE2 re(literal.ToRegex());
      if (RE2::PartialMatch(input, re)) {
        any = true;
        break;
      }
    }
    if (!any) return false;
  }
  return true;
}

}  // namespace entente
