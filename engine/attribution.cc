#include "engine/attribution.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace entente {
namespace {

// How far back anaphora look for an antecedent, in sentences.
constexpr int kAnaphoraWindow = 10;

// What may stand between two coordinated names: "China and Iran",
// "China, Iran and Russia", "China’s and Iran’s", "China and the UN".
const RE2& Connector() {
  static const RE2* re =
      new RE2("(?i)(?:['’]s)?\\s*(?:,\\s*(?:and\\s+)?|and\\s+|&\\s*|as well as\\s+)(?:the\\s+)?");
  return *re;
}

std::unique_ptr<RE2> CompileLexicon(const LoadedRuleSet& loaded, const LexiconTable& lexicons,
                                    const std::string& name, const char* field, const char* prefix,
                                    const char* suffix, std::vector<Diagnostic>* diagnostics) {
  if (name.empty()) return nullptr;
  absl::StatusOr<std::string> fragment = lexicons.RegexFor(name);
  if (!fragment.ok()) {
    diagnostics->push_back(
        {Diagnostic::Severity::kError, SourceLocation{loaded.path, 0, 0}, field,
         absl::StrCat("attribution.", field, " names unknown lexicon \"", name, "\"")});
    return nullptr;
  }
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_unique<RE2>(absl::StrCat(prefix, *fragment, suffix), options);
  if (!re->ok()) return nullptr;
  return re;
}

// The end of the last match of `re` in `text` that ends at or before
// `limit`, with its begin in *begin; npos if none.
size_t LastMatchEnd(const RE2* re, absl::string_view text, size_t limit, size_t* begin) {
  if (re == nullptr) return absl::string_view::npos;
  re2::StringPiece input(text.data(), text.size());
  re2::StringPiece m;
  size_t pos = 0;
  size_t last = absl::string_view::npos;
  while (pos < limit && re->Match(input, pos, limit, RE2::UNANCHORED, &m, 1)) {
    size_t b = m.data() - text.data();
    size_t e = b + m.size();
    last = e;
    *begin = b;
    pos = e > b ? e : b + 1;
  }
  return last;
}

// The attribution lexicons: which field of the rule set's `attribution`
// names each, what wraps its fragment, and where it is compiled to. The one
// list that Build and AttributionLexiconNames read.
struct AttributionField {
  const std::string& (entente::v1::Attribution::*name)() const;
  const char* field;
  const char* suffix;
  std::unique_ptr<RE2> AttributionLexicons::*slot;
};

constexpr AttributionField kAttributionFields[] = {
    {&entente::v1::Attribution::first_person_lexicon, "first_person_lexicon", "",
     &AttributionLexicons::first_person},
    {&entente::v1::Attribution::plural_anaphor_lexicon, "plural_anaphor_lexicon", "",
     &AttributionLexicons::plural_anaphor},
    {&entente::v1::Attribution::person_pronoun_lexicon, "person_pronoun_lexicon", "",
     &AttributionLexicons::person_pronoun},
    // Matches a preposition that ends right where a name begins.
    {&entente::v1::Attribution::preposition_lexicon, "preposition_lexicon",
     "\\s+(?:(?i:the|a|an)\\s+)?$", &AttributionLexicons::preposition_before},
    {&entente::v1::Attribution::reporting_verb_lexicon, "reporting_verb_lexicon", "",
     &AttributionLexicons::reporting_verb},
    {&entente::v1::Attribution::singular_anaphor_lexicon, "singular_anaphor_lexicon", "",
     &AttributionLexicons::singular_anaphor},
};

// What may stand between a demonym and the person it qualifies: titles
// ("Russian President Putin", "Israeli Prime Minister Benjamin Netanyahu").
const RE2& TitleWords() {
  static const RE2* re = new RE2("\\s+(?:(?:[A-Z][\\w.'’-]*|of|the|for|and)\\s+){0,5}");
  return *re;
}

}  // namespace

std::vector<std::string> AttributionLexiconNames(const entente::v1::Attribution& attribution) {
  std::vector<std::string> names;
  for (const AttributionField& f : kAttributionFields) {
    const std::string& name = (attribution.*f.name)();
    if (!name.empty()) names.push_back(name);
  }
  return names;
}

AttributionLexicons AttributionLexicons::Build(const LoadedRuleSet& loaded,
                                               const LexiconTable& lexicons,
                                               std::vector<Diagnostic>* diagnostics) {
  const auto& a = loaded.rule_set.attribution();
  AttributionLexicons out;
  for (const AttributionField& f : kAttributionFields) {
    out.*f.slot =
        CompileLexicon(loaded, lexicons, (a.*f.name)(), f.field, "", f.suffix, diagnostics);
  }
  return out;
}

HolderAttributor::HolderAttributor(const ActorGazetteer* gazetteer,
                                   const AttributionLexicons* lexicons, absl::string_view document,
                                   const std::vector<SentenceSpan>* sentences,
                                   absl::string_view speaker)
    : gazetteer_(gazetteer),
      lexicons_(lexicons),
      document_(document),
      sentences_(sentences),
      speaker_(speaker),
      mentions_(sentences->size()),
      scanned_(sentences->size(), false) {}

const std::vector<ActorMention>& HolderAttributor::MentionsOf(int sentence) {
  if (!scanned_[sentence]) {
    const SentenceSpan& s = (*sentences_)[sentence];
    absl::string_view text = document_.substr(s.begin, s.end - s.begin);
    std::vector<ActorMention>& mentions = mentions_[sentence];
    gazetteer_->FindMentions(text, &mentions);
    // A demonym with titles before a person is part of the person's name:
    // "Chinese President Xi and Russian President Putin" is two persons,
    // coordinated.
    std::vector<ActorMention> merged;
    for (size_t i = 0; i < mentions.size(); ++i) {
      if (mentions[i].kind == ActorMention::Kind::kDemonym && i + 1 < mentions.size() &&
          mentions[i + 1].kind == ActorMention::Kind::kPerson &&
          mentions[i + 1].begin > mentions[i].end) {
        absl::string_view between =
            text.substr(mentions[i].end, mentions[i + 1].begin - mentions[i].end);
        if (RE2::FullMatch(re2::StringPiece(between.data(), between.size()), TitleWords())) {
          ActorMention person = mentions[i + 1];
          person.begin = mentions[i].begin;
          merged.push_back(person);
          ++i;
          continue;
        }
      }
      // A demonym before an unnamed group names whose group it is:
      // "Egyptian mediators", "Palestinian protesters".
      if (mentions[i].kind == ActorMention::Kind::kDemonym && i + 1 < mentions.size() &&
          mentions[i + 1].type == entente::v1::GROUP &&
          text.substr(mentions[i].end, mentions[i + 1].begin - mentions[i].end)
                  .find_first_not_of(" ") == absl::string_view::npos) {
        ActorMention group = mentions[i];
        group.end = mentions[i + 1].end;
        group.kind = ActorMention::Kind::kName;
        merged.push_back(group);
        ++i;
        continue;
      }
      merged.push_back(mentions[i]);
    }
    mentions = std::move(merged);
    scanned_[sentence] = true;
  }
  return mentions_[sentence];
}

std::vector<int> HolderAttributor::CoordinatedGroup(absl::string_view sentence,
                                                    const std::vector<ActorMention>& mentions,
                                                    int index) const {
  // Capitals join capitals and demonyms join demonyms: "in Beijing, China
  // and Iran" is a place followed by two names, not a list of three.
  auto same_class = [](ActorMention::Kind a, ActorMention::Kind b) {
    auto cls = [](ActorMention::Kind k) {
      return k == ActorMention::Kind::kPerson ? ActorMention::Kind::kName : k;
    };
    return cls(a) == cls(b);
  };
  auto connected = [&](int left, int right) {
    if (!same_class(mentions[left].kind, mentions[right].kind)) return false;
    size_t from = mentions[left].end;
    size_t to = mentions[right].begin;
    if (to < from) return false;
    absl::string_view between = sentence.substr(from, to - from);
    return RE2::FullMatch(re2::StringPiece(between.data(), between.size()), Connector());
  };
  int first = index;
  while (first > 0 && connected(first - 1, first)) --first;
  int last = index;
  while (last + 1 < static_cast<int>(mentions.size()) && connected(last, last + 1)) ++last;
  std::vector<int> group;
  for (int i = first; i <= last; ++i) group.push_back(i);
  return group;
}

ByteRange HolderAttributor::WithCoordinated(int sentence, ByteRange range) {
  const SentenceSpan& span = (*sentences_)[sentence];
  const size_t base = span.begin;
  if (range.empty() || range.begin < base || range.end > span.end) return range;
  absl::string_view text = document_.substr(span.begin, span.end - span.begin);
  const std::vector<ActorMention>& mentions = MentionsOf(sentence);
  ByteRange out = range;
  for (int i = 0; i < static_cast<int>(mentions.size()); ++i) {
    if (base + mentions[i].begin < range.begin || base + mentions[i].end > range.end) continue;
    const std::vector<int> group = CoordinatedGroup(text, mentions, i);
    out.begin = std::min(out.begin, base + mentions[group.front()].begin);
    out.end = std::max(out.end, base + mentions[group.back()].end);
  }
  return out;
}

bool HolderAttributor::AfterPreposition(absl::string_view sentence, size_t begin) const {
  if (lexicons_->preposition_before == nullptr) return false;
  size_t from = begin > 40 ? begin - 40 : 0;
  absl::string_view before = sentence.substr(from, begin - from);
  return RE2::PartialMatch(re2::StringPiece(before.data(), before.size()),
                           *lexicons_->preposition_before);
}

std::vector<int> HolderAttributor::ReportedSource(absl::string_view sentence,
                                                  const std::vector<ActorMention>& mentions,
                                                  size_t from) const {
  const RE2* verb = lexicons_->reporting_verb.get();
  if (verb == nullptr || from >= sentence.size()) return {};
  // At most this many bytes between the source and its verb: a title or a
  // noun ("Israeli officials said", "said Foreign Minister Wang Yi").
  constexpr size_t kReach = 30;
  re2::StringPiece input(sentence.data(), sentence.size());
  re2::StringPiece m;
  size_t pos = from;
  while (pos < sentence.size() &&
         verb->Match(input, pos, sentence.size(), RE2::UNANCHORED, &m, 1)) {
    size_t vb = m.data() - sentence.data();
    size_t ve = vb + m.size();
    pos = ve > vb ? ve : vb + 1;
    // The nearest mention before the verb (after the match), else after it.
    int chosen = -1;
    for (int i = static_cast<int>(mentions.size()) - 1; i >= 0; --i) {
      if (mentions[i].begin >= from && mentions[i].end <= vb && vb - mentions[i].end <= kReach) {
        chosen = i;
        break;
      }
    }
    if (chosen < 0) {
      for (int i = 0; i < static_cast<int>(mentions.size()); ++i) {
        if (mentions[i].begin >= ve && mentions[i].begin - ve <= kReach) {
          chosen = i;
          break;
        }
      }
    }
    if (chosen >= 0) return CoordinatedGroup(sentence, mentions, chosen);
  }
  return {};
}

std::vector<int> HolderAttributor::LastGroup(int sentence, size_t limit) {
  for (int s = sentence; s >= 0 && s > sentence - kAnaphoraWindow; --s) {
    const SentenceSpan& span = (*sentences_)[s];
    absl::string_view text = document_.substr(span.begin, span.end - span.begin);
    const std::vector<ActorMention>& mentions = MentionsOf(s);
    for (int i = static_cast<int>(mentions.size()) - 1; i >= 0; --i) {
      if (s == sentence && mentions[i].end > limit) continue;
      std::vector<int> group = CoordinatedGroup(text, mentions, i);
      std::vector<int> actors;
      bool political = true;  // states and organisations, not armed groups
      for (int g : group) {
        auto type = gazetteer_->type(mentions[g].actor);
        political = political && (type == entente::v1::STATE || type == entente::v1::ORGANIZATION);
        if (std::find(actors.begin(), actors.end(), mentions[g].actor) == actors.end()) {
          actors.push_back(mentions[g].actor);
        }
      }
      if (political && actors.size() >= 2) return actors;
      i = group.front();
    }
  }
  return {};
}

int HolderAttributor::LastNamedActor(int sentence, size_t limit) {
  for (int s = sentence; s >= 0 && s > sentence - kAnaphoraWindow; --s) {
    const std::vector<ActorMention>& mentions = MentionsOf(s);
    for (int i = static_cast<int>(mentions.size()) - 1; i >= 0; --i) {
      if (s == sentence && mentions[i].end > limit) continue;
      if (mentions[i].kind == ActorMention::Kind::kName) return mentions[i].actor;
    }
  }
  return -1;
}

int HolderAttributor::LastPersonActor(int sentence, size_t limit) {
  for (int s = sentence; s >= 0 && s > sentence - kAnaphoraWindow; --s) {
    const std::vector<ActorMention>& mentions = MentionsOf(s);
    for (int i = static_cast<int>(mentions.size()) - 1; i >= 0; --i) {
      if (s == sentence && mentions[i].end > limit) continue;
      if (mentions[i].kind == ActorMention::Kind::kPerson) return mentions[i].actor;
    }
  }
  return -1;
}

void HolderAttributor::AddActor(int actor, size_t sentence_begin, const ActorMention* mention,
                                entente::v1::Holder::Via via,
                                std::vector<entente::v1::Holder>* holders) const {
  const std::string& id = gazetteer_->id(actor);
  for (const auto& h : *holders) {
    if (h.actor() == id) return;
  }
  entente::v1::Holder* h = &holders->emplace_back();
  h->set_actor(id);
  h->set_via(via);
  if (mention != nullptr) {
    size_t b = sentence_begin + mention->begin;
    size_t e = sentence_begin + mention->end;
    h->mutable_span()->set_begin(static_cast<int>(b));
    h->mutable_span()->set_end(static_cast<int>(e));
    h->mutable_span()->set_text(std::string(document_.substr(b, e - b)));
  } else {
    h->clear_span();
  }
}

void HolderAttributor::AddSpeaker(size_t begin, size_t end, entente::v1::Holder::Via via,
                                  std::vector<entente::v1::Holder>* holders) const {
  if (speaker_.empty()) return;
  for (const auto& h : *holders) {
    if (h.actor() == speaker_) return;
  }
  entente::v1::Holder& h = holders->emplace_back();
  h.set_actor(speaker_);
  h.set_via(via);
  if (end > begin) {
    h.mutable_span()->set_begin(static_cast<int>(begin));
    h.mutable_span()->set_end(static_cast<int>(end));
    h.mutable_span()->set_text(std::string(document_.substr(begin, end - begin)));
  }
}

void HolderAttributor::Targets(int sentence, ByteRange target,
                               std::vector<entente::v1::Holder>* targets) {
  const SentenceSpan& span = (*sentences_)[sentence];
  const size_t base = span.begin;
  if (target.empty() || target.begin < base || target.end > span.end) return;
  const size_t tb = target.begin - base;
  const size_t te = target.end - base;
  for (const ActorMention& m : MentionsOf(sentence)) {
    if (m.begin >= tb && m.end <= te)
      AddActor(m.actor, base, &m, entente::v1::Holder::TARGET, targets);
  }
  absl::string_view text = document_.substr(span.begin, span.end - span.begin);
  size_t fb = 0;
  if (LastMatchEnd(lexicons_->first_person.get(), text.substr(0, te), te, &fb) !=
          absl::string_view::npos &&
      fb >= tb) {
    AddSpeaker(base + fb, base + te, entente::v1::Holder::TARGET, targets);
  }
}

void HolderAttributor::Attribute(int sentence, ByteRange match, ByteRange role,
                                 std::vector<entente::v1::Holder>* holders,
                                 std::vector<std::string>* steps) {
  const SentenceSpan& span = (*sentences_)[sentence];
  const size_t base = span.begin;
  absl::string_view text = document_.substr(span.begin, span.end - span.begin);
  const std::vector<ActorMention>& mentions = MentionsOf(sentence);
  auto step = [&](std::string line) {
    if (steps != nullptr) steps->push_back(std::move(line));
  };
  const size_t before = holders->size();

  if (!role.empty()) {
    size_t rb = role.begin - base;
    size_t re = role.end - base;
    for (const ActorMention& m : mentions) {
      if (m.begin >= rb && m.end <= re)
        AddActor(m.actor, base, &m, entente::v1::Holder::ROLE, holders);
    }
    size_t fb = 0;
    if (LastMatchEnd(lexicons_->first_person.get(), text.substr(0, re), re, &fb) !=
            absl::string_view::npos &&
        fb >= rb) {
      AddSpeaker(base + fb, base + re, entente::v1::Holder::FIRST_PERSON, holders);
    }
    if (holders->size() > before) {
      step(absl::StrCat("holder role \"", text.substr(rb, re - rb), "\" names ",
                        holders->size() - before, " actor(s)"));
      return;
    }
    step(absl::StrCat("holder role \"", text.substr(rb, re - rb),
                      "\" names no known actor; looking for a subject"));
  }

  const size_t limit = match.begin - base;
  // The nearest subject candidate to the left of the match.
  enum class Kind { kNone, kActor, kFirstPerson, kPlural, kPronoun, kSingular } kind = Kind::kNone;
  size_t best_end = 0;
  size_t best_begin = 0;
  std::vector<int> best_group;
  for (int i = static_cast<int>(mentions.size()) - 1; i >= 0; --i) {
    if (mentions[i].end > limit) continue;
    std::vector<int> group = CoordinatedGroup(text, mentions, i);
    // Keep only members to the left of the match.
    while (!group.empty() && mentions[group.back()].end > limit) group.pop_back();
    if (AfterPreposition(text, mentions[group.front()].begin)) {
      i = group.front();
      continue;
    }
    kind = Kind::kActor;
    best_end = mentions[i].end;
    best_begin = mentions[group.front()].begin;
    best_group = std::move(group);
    break;
  }
  auto consider = [&](const RE2* re, Kind k) {
    size_t b = 0;
    size_t e = LastMatchEnd(re, text, limit, &b);
    if (e != absl::string_view::npos && (kind == Kind::kNone || e > best_end)) {
      kind = k;
      best_end = e;
      best_begin = b;
    }
  };
  consider(lexicons_->first_person.get(), Kind::kFirstPerson);
  consider(lexicons_->plural_anaphor.get(), Kind::kPlural);
  consider(lexicons_->person_pronoun.get(), Kind::kPronoun);
  consider(lexicons_->singular_anaphor.get(), Kind::kSingular);

  // A pronoun with no antecedent yields to the actor subject, if any.
  if (kind == Kind::kPronoun && LastPersonActor(sentence, best_begin) < 0 && !best_group.empty()) {
    kind = Kind::kActor;
    best_begin = mentions[best_group.front()].begin;
    best_end = mentions[best_group.back()].end;
  }
  // A trailing reporting verb names the source of quoted or unattributed
  // words: '"We will never agree," Netanyahu said'.
  const size_t match_end = match.end - base;
  auto add_reported = [&](const std::string& why) {
    std::vector<int> source = ReportedSource(text, mentions, match_end);
    if (source.empty()) return false;
    for (int g : source)
      AddActor(mentions[g].actor, base, &mentions[g], entente::v1::Holder::REPORTED, holders);
    step(absl::StrCat(why, " -> reported by ", holders->size() - before, " actor(s) after it"));
    return true;
  };
  const bool quoted = text.substr(0, match_end).find_first_of("\"") != absl::string_view::npos ||
                      text.substr(0, match_end).find("“") != absl::string_view::npos;

  absl::string_view found = text.substr(best_begin, best_end - best_begin);
  switch (kind) {
    case Kind::kActor:
      for (int g : best_group)
        AddActor(mentions[g].actor, base, &mentions[g], entente::v1::Holder::SUBJECT, holders);
      step(absl::StrCat("subject \"", found, "\" -> ", holders->size() - before, " actor(s)"));
      return;
    case Kind::kFirstPerson:
      if (quoted && add_reported(absl::StrCat("quoted first person \"", found, "\""))) return;
      if (speaker_.empty()) {
        step(absl::StrCat("first person \"", found, "\" but no speaker given: no holder"));
      } else {
        AddSpeaker(base + best_begin, base + best_end, entente::v1::Holder::FIRST_PERSON, holders);
        step(absl::StrCat("first person \"", found, "\" -> speaker ", speaker_));
      }
      return;
    case Kind::kPlural: {
      std::vector<int> group = LastGroup(sentence, best_begin);
      // The holder's words in this sentence are the anaphor itself.
      for (int actor : group) {
        ActorMention anaphor{best_begin, best_end, actor, ActorMention::Kind::kName};
        AddActor(actor, base, &anaphor, entente::v1::Holder::ANAPHORA, holders);
      }
      if (group.empty()) {
        // "The two sides" with nobody named before: the speaker and another
        // party (the labelling guide's reading of a readout).
        AddSpeaker(base + best_begin, base + best_end, entente::v1::Holder::ANAPHORA, holders);
        const int other = gazetteer_->Find("OTHER");
        if (other >= 0) {
          ActorMention anaphor{best_begin, best_end, other, ActorMention::Kind::kName};
          AddActor(other, base, &anaphor, entente::v1::Holder::ANAPHORA, holders);
        }
      }
      step(absl::StrCat("plural anaphor \"", found, "\" -> ",
                        group.empty() ? "no group named before: the speaker and OTHER"
                                      : "last coordinated group"));
      return;
    }
    case Kind::kSingular: {
      const int actor = LastNamedActor(sentence, best_begin);
      if (actor >= 0) {
        ActorMention anaphor{best_begin, best_end, actor, ActorMention::Kind::kName};
        AddActor(actor, base, &anaphor, entente::v1::Holder::ANAPHORA, holders);
        step(absl::StrCat("anaphor \"", found, "\" -> ", gazetteer_->id(actor)));
        return;
      }
      step(absl::StrCat("anaphor \"", found, "\" with no state or organisation named before"));
      break;
    }
    case Kind::kPronoun: {
      int actor = LastPersonActor(sentence, best_begin);
      if (actor < 0 && add_reported(absl::StrCat("unresolved pronoun \"", found, "\""))) return;
      ActorMention pronoun{best_begin, best_end, actor, ActorMention::Kind::kPerson};
      if (actor >= 0) AddActor(actor, base, &pronoun, entente::v1::Holder::PRONOUN, holders);
      step(absl::StrCat("pronoun \"", found, "\" -> ",
                        actor >= 0 ? gazetteer_->id(actor) : "no person named before"));
      return;
    }
    case Kind::kNone:
      break;
  }
  if (add_reported("no subject")) return;
  if (speaker_.empty()) {
    step("no subject and no speaker: no holder");
  } else {
    AddSpeaker(0, 0, entente::v1::Holder::SPEAKER, holders);
    step(absl::StrCat("no subject: unattributed assertion held by speaker ", speaker_));
  }
}

}  // namespace entente
