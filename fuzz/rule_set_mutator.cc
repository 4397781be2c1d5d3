// A structure-aware mutator for rule_set_fuzzer (libFuzzer runs only; the
// Bazel corpus tests do not link it). Byte-level mutations of a text proto
// mostly break its syntax, so few inputs reach the compiler's checks and
// fewer the classifier. This one parses the input as an entente.v1.RuleSet
// and changes one field the way an analyst's mistake or a hostile client
// would: a string gets a token of the rule language (a capture group, a
// lexicon reference, an escape, a gap, a non-ASCII character), a number an
// edge value (NaN, infinities, 0, negatives, huge), an enum a value out of
// range; messages are duplicated. The result is printed back as text. A
// quarter of the time, or when the input does not parse, libFuzzer's own
// byte mutations run instead.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "proto/rule_set.pb.h"

extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Pieces of the rule language and of RE2 syntax, including the ones the
// compiler must refuse.
const char* const kTokens[] = {
    "(?P<holder>",
    "(?P<target>",
    ")",
    "(a)?",
    "(",
    "{",
    "}",
    "{ceasefire_term}",
    "{x}",
    "\\C",
    "\\b",
    "\\w+",
    "\\W+",
    "\\s*",
    ".*",
    "(?i)",
    "(?-i:",
    "[",
    "]",
    "^",
    "$",
    "|",
    "?",
    "*",
    "+",
    "{2,}",
    "{1000}",
    "\\p{L}",
    "\\",
    "~3",
    "~21",
    " ",
    "",
    "ceasefire",
    "China",
    "call for",
    "not",
    "we",
    "’",
    "é",
    "中文",
    "🙂",
    "\xEF\xBF\xBD",
    "(?:x?)*",
    "\\Q",
    "\\E",
    "x{2}{3}{4}",
    "(?P<h>",
    "\\1",
    "(?=",
};

const double kDoubles[] = {std::numeric_limits<double>::quiet_NaN(),
                           std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity(),
                           0.0,
                           -1.0,
                           0.5,
                           1.0,
                           1.0000001,
                           1e308,
                           -0.0};
const int32_t kInts[] = {0,
                         -1,
                         1,
                         20,
                         21,
                         100000,
                         std::numeric_limits<int32_t>::max(),
                         std::numeric_limits<int32_t>::min()};

// A place in the message tree: a field of a message, and an index when the
// field is repeated (-1 otherwise).
struct Place {
  Message* message;
  const FieldDescriptor* field;
  int index;
};

void CollectPlaces(Message* message, std::vector<Place>* places) {
  const Reflection* reflection = message->GetReflection();
  const auto* descriptor = message->GetDescriptor();
  for (int f = 0; f < descriptor->field_count(); ++f) {
    const FieldDescriptor* field = descriptor->field(f);
    if (field->is_repeated()) {
      int n = reflection->FieldSize(*message, field);
      places->push_back({message, field, -1});  // add an element
      for (int i = 0; i < n; ++i) {
        places->push_back({message, field, i});
        if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
          CollectPlaces(reflection->MutableRepeatedMessage(message, field, i), places);
        }
      }
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (reflection->HasField(*message, field)) {
        CollectPlaces(reflection->MutableMessage(message, field), places);
      }
    } else {
      places->push_back({message, field, -1});
    }
  }
}

std::string MutateString(std::string s, std::mt19937* rng) {
  const std::string token = kTokens[(*rng)() % (sizeof(kTokens) / sizeof(kTokens[0]))];
  const size_t at = s.empty() ? 0 : (*rng)() % (s.size() + 1);
  switch ((*rng)() % 4) {
    case 0:
      return token;
    case 1:
      return s.insert(at, token);
    case 2:
      return s.empty() ? token : s.erase(at, 1 + (*rng)() % 8);
    default:
      return s + s;
  }
}

void Mutate(const Place& p, std::mt19937* rng) {
  const Reflection* r = p.message->GetReflection();
  const FieldDescriptor* f = p.field;
  if (f->is_repeated() && p.index < 0) {
    // A new element: a copy of an existing one, or a default one.
    int n = r->FieldSize(*p.message, f);
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      Message* added = r->AddMessage(p.message, f);
      if (n > 0) added->CopyFrom(r->GetRepeatedMessage(*p.message, f, (*rng)() % n));
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
      r->AddString(p.message, f, MutateString("", rng));
    }
    return;
  }
  const bool repeated = f->is_repeated();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string old =
          repeated ? r->GetRepeatedString(*p.message, f, p.index) : r->GetString(*p.message, f);
      std::string value = MutateString(old, rng);
      repeated ? r->SetRepeatedString(p.message, f, p.index, value)
               : r->SetString(p.message, f, value);
      break;
    }
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      double value = kDoubles[(*rng)() % (sizeof(kDoubles) / sizeof(kDoubles[0]))];
      repeated ? r->SetRepeatedDouble(p.message, f, p.index, value)
               : r->SetDouble(p.message, f, value);
      break;
    }
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t value = kInts[(*rng)() % (sizeof(kInts) / sizeof(kInts[0]))];
      repeated ? r->SetRepeatedInt32(p.message, f, p.index, value)
               : r->SetInt32(p.message, f, value);
      break;
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      // proto3 enums are open: values out of range parse and must be refused.
      int value = static_cast<int>((*rng)() % 9) - 1;
      repeated ? r->SetRepeatedEnumValue(p.message, f, p.index, value)
               : r->SetEnumValue(p.message, f, value);
      break;
    }
    case FieldDescriptor::CPPTYPE_BOOL:
      if (!repeated) r->SetBool(p.message, f, !r->GetBool(*p.message, f));
      break;
    case FieldDescriptor::CPPTYPE_MESSAGE:
      if (repeated)
        r->AddMessage(p.message, f)->CopyFrom(r->GetRepeatedMessage(*p.message, f, p.index));
      break;
    default:
      break;
  }
}

class SilentErrors : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int, google::protobuf::io::ColumnNumber, const std::string&) override {}
};

}  // namespace

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                                          unsigned int seed) {
  std::mt19937 rng(seed);
  if (rng() % 4 == 0) return LLVMFuzzerMutate(data, size, max_size);
  entente::v1::RuleSet rule_set;
  google::protobuf::TextFormat::Parser parser;
  SilentErrors errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(std::string(reinterpret_cast<char*>(data), size), &rule_set)) {
    return LLVMFuzzerMutate(data, size, max_size);
  }
  const int rounds = 1 + rng() % 3;
  for (int i = 0; i < rounds; ++i) {
    std::vector<Place> places;
    CollectPlaces(&rule_set, &places);
    if (places.empty()) break;
    Mutate(places[rng() % places.size()], &rng);
  }
  std::string out;
  if (!google::protobuf::TextFormat::PrintToString(rule_set, &out) || out.size() > max_size) {
    return LLVMFuzzerMutate(data, size, max_size);
  }
  std::memcpy(data, out.data(), out.size());
  return out.size();
}
