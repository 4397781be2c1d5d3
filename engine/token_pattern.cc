#include "engine/token_pattern.h"

#include <algorithm>
#include <map>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/lexicon.h"
#include "re2/re2.h"

namespace entente {
namespace {

// Between two adjacent elements: anything but a word character or a clause
// end. Zero characters are enough where the elements themselves end and
// start on word boundaries (words, lemmas and lexicon terms do).
constexpr char kSeparator[] = "[^\\w.;:?!]*";
// Between the words of a clause-bounded gap.
constexpr char kClauseGapSeparator[] = "[^\\w.;:?!]+";
// Between the words of a gap that may cross clauses.
constexpr char kAnyGapSeparator[] = "\\W+";
constexpr int kMaxGap = 20;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Characters with a meaning in the syntax.
bool IsSyntax(char c) {
  return c == '(' || c == ')' || c == '|' || c == '?' || c == '{' || c == '}' || c == '[' ||
         c == ']' || c == '~' || c == '$';
}

// Regex characters that are not part of the syntax: an analyst who types
// them expects a regex meaning they do not have here.
bool IsForeignMeta(char c) { return c == '*' || c == '+' || c == '\\' || c == '^'; }

bool IsIdentifierChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_';
}

class Parser {
 public:
  Parser(absl::string_view text, size_t* error_offset) : text_(text), error_offset_(error_offset) {}

  absl::StatusOr<TokenSequence> ParseAll() {
    absl::StatusOr<TokenSequence> seq = ParseSequence(/*in_group=*/false);
    if (!seq.ok()) return seq;
    if (pos_ < text_.size()) return Error(pos_, "unexpected \")\": no group is open here");
    return seq;
  }

 private:
  absl::Status Error(size_t offset, absl::string_view message) {
    *error_offset_ = offset;
    return absl::InvalidArgumentError(message);
  }

  void SkipSpace() {
    while (pos_ < text_.size() && IsSpace(text_[pos_])) ++pos_;
  }

  // Elements up to the end, or (in a group) up to "|" or ")".
  absl::StatusOr<TokenSequence> ParseSequence(bool in_group) {
    TokenSequence seq;
    const size_t start = pos_;
    bool required = false;
    std::vector<std::string> roles;
    while (true) {
      SkipSpace();
      if (pos_ >= text_.size()) break;
      char c = text_[pos_];
      if (c == ')' || c == '|') {
        if (!in_group) {
          return Error(pos_, c == '|' ? "\"|\" separates alternatives inside ( ): write (a | b)"
                                      : "unexpected \")\": no group is open here");
        }
        break;
      }
      if (c == '~') {
        absl::StatusOr<TokenElement> gap = ParseGap();
        if (!gap.ok()) return gap.status();
        if (!required) {
          return Error(gap->offset, "a gap must follow an element that is not optional");
        }
        if (!seq.empty() && seq.back().kind == TokenElement::Kind::kGap) {
          return Error(gap->offset, "two gaps in a row: write one, ~N with the larger N");
        }
        seq.push_back(*std::move(gap));
        continue;
      }
      absl::StatusOr<TokenElement> item = ParseItem();
      if (!item.ok()) return item.status();
      if (!item->optional) required = true;
      seq.push_back(*std::move(item));
    }
    if (seq.empty()) {
      return Error(pos_ < text_.size() ? pos_ : start,
                   in_group ? "empty alternative" : "empty token sequence");
    }
    if (seq.back().kind == TokenElement::Kind::kGap) {
      return Error(seq.back().offset, "a gap must stand between two elements");
    }
    if (!required) {
      return Error(seq.front().offset,
                   "a sequence needs at least one element that is not optional");
    }
    return seq;
  }

  absl::StatusOr<TokenElement> ParseGap() {
    TokenElement gap;
    gap.kind = TokenElement::Kind::kGap;
    gap.offset = pos_;
    ++pos_;  // '~'
    if (pos_ < text_.size() && text_[pos_] == '~') {
      gap.across_clauses = true;
      ++pos_;
    }
    size_t digits = pos_;
    while (pos_ < text_.size() && absl::ascii_isdigit(static_cast<unsigned char>(text_[pos_]))) {
      ++pos_;
    }
    int n = 0;
    if (!absl::SimpleAtoi(text_.substr(digits, pos_ - digits), &n) || n < 1 || n > kMaxGap) {
      return Error(gap.offset, absl::StrCat("bad gap: write ~N with N from 1 to ", kMaxGap,
                                            " (~~N to cross clauses)"));
    }
    gap.gap = n;
    if (pos_ < text_.size() && text_[pos_] == '!') {
      ++pos_;
      if (pos_ >= text_.size() || IsSpace(text_[pos_])) {
        return Error(pos_, "after \"!\" name the words the gap must not contain: ~N!{lexicon}");
      }
      absl::StatusOr<TokenElement> excluded = ParsePrimary();
      if (!excluded.ok()) return excluded.status();
      if (excluded->kind != TokenElement::Kind::kWord &&
          excluded->kind != TokenElement::Kind::kLexicon &&
          excluded->kind != TokenElement::Kind::kGroup) {
        return Error(excluded->offset, "a gap can exclude a word, a {lexicon} or (a | b)");
      }
      gap.excluded.push_back(*std::move(excluded));
    }
    if (pos_ < text_.size() && !IsSpace(text_[pos_]) && text_[pos_] != ')' && text_[pos_] != '|') {
      return Error(pos_, "a gap is ~N, ~~N or ~N!X, followed by a space");
    }
    return gap;
  }

  absl::StatusOr<TokenElement> ParseItem() {
    std::string role;
    for (const char* r : {"holder:", "target:"}) {
      absl::string_view prefix(r);
      if (text_.substr(pos_, prefix.size()) == prefix) {
        role = std::string(prefix.substr(0, prefix.size() - 1));
        pos_ += prefix.size();
        if (pos_ >= text_.size() || IsSpace(text_[pos_])) {
          return Error(pos_, absl::StrCat(role, ": must be followed by what names the ", role,
                                          " (no space): ", role, ":{actor}"));
        }
        if (text_[pos_] == '~') return Error(pos_, "a gap cannot have a role");
        break;
      }
    }
    absl::StatusOr<TokenElement> element = ParsePrimary();
    if (!element.ok()) return element;
    element->role = role;
    if (pos_ < text_.size() && text_[pos_] == '?') {
      element->optional = true;
      ++pos_;
    }
    if (pos_ < text_.size() && !IsSpace(text_[pos_]) && text_[pos_] != ')' && text_[pos_] != '|') {
      return Error(pos_, absl::StrCat("\"", text_.substr(pos_, 1),
                                      "\" is attached to the element before it: separate "
                                      "elements with a space"));
    }
    return element;
  }

  absl::StatusOr<TokenElement> ParsePrimary() {
    TokenElement e;
    e.offset = pos_;
    const char c = text_[pos_];
    if (c == '(') {
      ++pos_;
      e.kind = TokenElement::Kind::kGroup;
      while (true) {
        absl::StatusOr<TokenSequence> alternative = ParseSequence(/*in_group=*/true);
        if (!alternative.ok()) return alternative.status();
        e.alternatives.push_back(*std::move(alternative));
        if (pos_ >= text_.size()) return Error(e.offset, "this \"(\" is never closed");
        if (text_[pos_++] == ')') break;  // else '|'
      }
      return e;
    }
    if (c == '{') {
      size_t close = text_.find('}', pos_);
      if (close == absl::string_view::npos) return Error(pos_, "this \"{\" is never closed");
      absl::string_view name = text_.substr(pos_ + 1, close - pos_ - 1);
      if (name == "actor" || absl::StartsWith(name, "actor:")) {
        e.kind = TokenElement::Kind::kActor;
        e.text = name == "actor" ? "" : std::string(name.substr(6));
        const auto& names = ActorClassNames();
        if (!e.text.empty() && std::find(names.begin(), names.end(), e.text) == names.end()) {
          return Error(pos_ + 7, absl::StrCat("unknown actor type \"", e.text, "\": use ",
                                              absl::StrJoin(names, ", "), " or {actor}"));
        }
      } else {
        if (name.empty() || !std::all_of(name.begin(), name.end(), IsIdentifierChar) ||
            absl::ascii_isdigit(static_cast<unsigned char>(name[0]))) {
          return Error(pos_,
                       absl::StrCat("\"{", name,
                                    "}\" is not a lexicon reference: {name} with letters, "
                                    "digits and _ (repetitions like {2,3} are regex: use ~N)"));
        }
        e.kind = TokenElement::Kind::kLexicon;
        e.text = std::string(name);
      }
      pos_ = close + 1;
      return e;
    }
    if (c == '[') {
      size_t close = text_.find(']', pos_);
      if (close == absl::string_view::npos) return Error(pos_, "this \"[\" is never closed");
      absl::string_view lemma = text_.substr(pos_ + 1, close - pos_ - 1);
      e.kind = TokenElement::Kind::kLemma;
      if (absl::EndsWith(lemma, "/N") || absl::EndsWith(lemma, "/V")) {
        e.lemma_class = lemma.back() == 'N' ? WordClass::kNoun : WordClass::kVerb;
        lemma.remove_suffix(2);
      } else if (lemma.find('/') != absl::string_view::npos) {
        return Error(pos_ + 1 + lemma.find('/'),
                     "a lemma's class is /V (verb, the default) or /N (noun)");
      }
      lemma = absl::StripAsciiWhitespace(lemma);
      if (lemma.empty()) return Error(pos_, "empty lemma: write [urge] or [pressure/N]");
      for (size_t i = 0; i < lemma.size(); ++i) {
        if (IsSyntax(lemma[i]) || IsForeignMeta(lemma[i])) {
          return Error(pos_ + 1 + i, "a lemma is plain words: [call for]");
        }
      }
      e.text = std::string(lemma);
      pos_ = close + 1;
      return e;
    }
    if (c == '$') {
      size_t end = pos_ + 1;
      while (end < text_.size() && IsIdentifierChar(text_[end])) ++end;
      if (end == pos_ + 1) return Error(pos_, "\"$\" starts a template parameter: $NAME");
      e.kind = TokenElement::Kind::kParam;
      e.text = std::string(text_.substr(pos_ + 1, end - pos_ - 1));
      pos_ = end;
      return e;
    }
    if (c == '}' || c == ']') {
      return Error(pos_, absl::StrCat("\"", std::string(1, c), "\" closes nothing"));
    }
    if (c == '?') return Error(pos_, "\"?\" makes the element before it optional: write word?");
    // A literal word: up to white space or syntax.
    size_t end = pos_;
    while (end < text_.size() && !IsSpace(text_[end]) && !IsSyntax(text_[end])) {
      if (IsForeignMeta(text_[end])) {
        return Error(end, absl::StrCat("\"", text_.substr(end, 1),
                                       "\" is regex, not token syntax: write [lemma] for the "
                                       "forms of a word, ~N for a gap, or use `pattern`"));
      }
      ++end;
    }
    if (end < text_.size() && (text_[end] == '(' || text_[end] == '[' || text_[end] == '{')) {
      return Error(end, absl::StrCat("\"", text_.substr(end, 1),
                                     "\" is attached to a word: for the forms of a word write "
                                     "[",
                                     text_.substr(pos_, end - pos_), "], not suffixes"));
    }
    e.kind = TokenElement::Kind::kWord;
    e.text = std::string(text_.substr(pos_, end - pos_));
    pos_ = end;
    return e;
  }

  absl::string_view text_;
  size_t* error_offset_;
  size_t pos_ = 0;
};

struct TrieNode {
  std::map<char, TrieNode> children;
  bool terminal = false;
};

// Strings s such that (the node's prefix + s) is a whole word not in the
// trie; `terminal` of the root is taken as true (no empty word).
std::string Complement(const TrieNode& node, bool terminal) {
  if (node.children.empty()) return terminal ? "\\w+" : "\\w*";
  std::string chars;
  for (const auto& [c, child] : node.children) chars += c;
  std::vector<std::string> alternatives = {absl::StrCat("[^\\W", chars, "]\\w*")};
  for (const auto& [c, child] : node.children) {
    alternatives.push_back(
        absl::StrCat(std::string(1, c), "(?:", Complement(child, child.terminal), ")"));
  }
  if (!terminal) alternatives.push_back("");
  return absl::StrCat("(?:", absl::StrJoin(alternatives, "|"), ")");
}

class Translator {
 public:
  Translator(const TokenContext& context, size_t* error_offset, int* gaps)
      : context_(context), error_offset_(error_offset), gaps_(gaps) {}

  absl::StatusOr<std::string> Sequence(const TokenSequence& seq) {
    std::string out;
    bool have_element = false;
    for (const TokenElement& e : seq) {
      if (e.kind == TokenElement::Kind::kGap) {
        absl::StatusOr<std::string> gap = Gap(e);
        if (!gap.ok()) return gap;
        absl::StrAppend(&out, *gap);
        continue;
      }
      absl::StatusOr<std::string> fragment = Element(e);
      if (!fragment.ok()) return fragment;
      std::string f = *fragment;
      if (!e.role.empty()) f = absl::StrCat("(?P<", e.role, ">", f, ")");
      if (!have_element) {
        if (e.optional) {
          absl::StrAppend(&out, "(?:", f, kSeparator, ")?");
        } else {
          absl::StrAppend(&out, f);
          have_element = true;
        }
        continue;
      }
      if (e.optional) {
        absl::StrAppend(&out, "(?:", kSeparator, f, ")?");
      } else {
        absl::StrAppend(&out, kSeparator, f);
      }
    }
    return out;
  }

 private:
  absl::Status Error(size_t offset, absl::string_view message) {
    *error_offset_ = offset;
    return absl::InvalidArgumentError(message);
  }

  absl::StatusOr<std::string> Element(const TokenElement& e) {
    switch (e.kind) {
      case TokenElement::Kind::kWord:
        return PhraseToRegex(e.text);
      case TokenElement::Kind::kLexicon:
        return absl::StrCat("(?:{", e.text, "})");
      case TokenElement::Kind::kActor:
        return absl::StrCat("(?:{", ActorClassLexicon(e.text), "})");
      case TokenElement::Kind::kLemma: {
        std::vector<std::string> forms = InflectPhrase(e.text, e.lemma_class);
        std::stable_sort(
            forms.begin(), forms.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
        std::vector<std::string> parts;
        for (const std::string& f : forms) parts.push_back(PhraseToRegex(f));
        return absl::StrCat("(?:", absl::StrJoin(parts, "|"), ")");
      }
      case TokenElement::Kind::kGroup: {
        std::vector<std::string> parts;
        for (const TokenSequence& alternative : e.alternatives) {
          absl::StatusOr<std::string> part = Sequence(alternative);
          if (!part.ok()) return part;
          parts.push_back(*std::move(part));
        }
        return absl::StrCat("(?:", absl::StrJoin(parts, "|"), ")");
      }
      case TokenElement::Kind::kParam: {
        if (context_.params == nullptr) {
          return Error(e.offset, absl::StrCat("$", e.text,
                                              " is a template parameter: only a template's "
                                              "readings may use one"));
        }
        auto it = context_.params->find(e.text);
        if (it == context_.params->end()) {
          return Error(e.offset, absl::StrCat("parameter $", e.text, " is not bound"));
        }
        size_t inner = 0;
        absl::StatusOr<TokenSequence> value = ParseTokens(it->second, &inner);
        if (!value.ok()) {
          return Error(e.offset,
                       absl::StrCat("the value of $", e.text, " (\"", it->second, "\") at offset ",
                                    inner, ": ", value.status().message()));
        }
        TokenContext plain = context_;
        plain.params = nullptr;
        Translator nested(plain, &inner, gaps_);
        absl::StatusOr<std::string> regex = nested.Sequence(*value);
        if (!regex.ok()) {
          return Error(e.offset,
                       absl::StrCat("the value of $", e.text, ": ", regex.status().message()));
        }
        return absl::StrCat("(?:", *regex, ")");
      }
      case TokenElement::Kind::kGap:
        break;
    }
    return Error(e.offset, "a gap cannot stand here");
  }

  absl::StatusOr<std::string> Gap(const TokenElement& e) {
    std::vector<std::string> excluded;
    if (!e.across_clauses) excluded = context_.clause_breaks;
    for (const TokenElement& x : e.excluded) {
      absl::Status s = CollectWords(x, &excluded);
      if (!s.ok()) return s;
    }
    const std::string word = excluded.empty() ? "\\w+" : WordNotIn(excluded);
    const char* separator = e.across_clauses ? kAnyGapSeparator : kClauseGapSeparator;
    return absl::StrCat("(?P<", kGapGroupPrefix, ++*gaps_, ">(?:", separator, word, "){0,", e.gap,
                        "})");
  }

  absl::Status CollectWords(const TokenElement& x, std::vector<std::string>* out) {
    switch (x.kind) {
      case TokenElement::Kind::kWord:
        out->push_back(x.text);
        return absl::OkStatus();
      case TokenElement::Kind::kLexicon: {
        if (!context_.lexicon_words) return absl::OkStatus();
        absl::StatusOr<std::vector<std::string>> words = context_.lexicon_words(x.text);
        if (!words.ok()) return Error(x.offset, words.status().message());
        out->insert(out->end(), words->begin(), words->end());
        return absl::OkStatus();
      }
      case TokenElement::Kind::kGroup:
        for (const TokenSequence& alternative : x.alternatives) {
          for (const TokenElement& y : alternative) {
            absl::Status s = CollectWords(y, out);
            if (!s.ok()) return s;
          }
        }
        return absl::OkStatus();
      default:
        return Error(x.offset, "a gap can exclude a word, a {lexicon} or (a | b)");
    }
  }

  const TokenContext& context_;
  size_t* error_offset_;
  int* gaps_;
};

}  // namespace

const std::vector<std::string>& ActorClassNames() {
  static const auto* names =
      new std::vector<std::string>{"STATE", "ORGANIZATION", "ARMED_GROUP", "GROUP"};
  return *names;
}

std::string ActorClassLexicon(absl::string_view type) {
  return absl::StrCat("actor__", type.empty() ? "ANY" : type);
}

absl::StatusOr<TokenSequence> ParseTokens(absl::string_view text, size_t* error_offset) {
  Parser parser(text, error_offset);
  return parser.ParseAll();
}

absl::StatusOr<std::string> TokensToRegex(const TokenSequence& sequence,
                                          const TokenContext& context, size_t* error_offset) {
  int gaps = 0;
  Translator translator(context, error_offset, &gaps);
  return translator.Sequence(sequence);
}

absl::StatusOr<std::string> TokenPatternToRegex(absl::string_view tokens) {
  size_t offset = 0;
  absl::StatusOr<TokenSequence> seq = ParseTokens(tokens, &offset);
  if (!seq.ok()) return seq.status();
  TokenContext context;
  return TokensToRegex(*seq, context, &offset);
}

std::string WordNotIn(const std::vector<std::string>& words) {
  TrieNode root;
  for (const std::string& word : words) {
    std::string w = absl::AsciiStrToLower(word);
    if (w.empty() || !std::all_of(w.begin(), w.end(), IsIdentifierChar)) continue;
    TrieNode* node = &root;
    for (char c : w) node = &node->children[c];
    node->terminal = true;
  }
  return absl::StrCat("(?i:", Complement(root, /*terminal=*/true), "\\b)");
}

}  // namespace entente
