// File: engine/result_diff.h
//
// Compares the annotations two rule-set versions produce on the same text,
// per (sentence, stance): an annotation that appears, one that disappears,
// a polarity that changes, or holders that change. Used to review a rule
// change by its effect before it ships.
//
//   entente::ResultDiff diff;
//   diff.Add("doc1", Classify(*old_rules, text, {}), Classify(*new_rules, text, {}));
//   std::cout << diff.Format(10);

#ifndef ENTENTE_ENGINE_RESULT_DIFF_H_
#define ENTENTE_ENGINE_RESULT_DIFF_H_

#include <map>
#include <string>
#include <vector>

#include "proto/result.pb.h"

namespace entente {

// Accumulates differences over documents. Not thread-safe.
class ResultDiff {
 public:
  enum class Kind { kAppeared, kDisappeared, kPolarityChanged, kHoldersChanged };

  struct Change {
    Kind kind;
    std::string document_id;
    std::string stance;
    std::string sentence;
    std::string before;  // "SUPPORT [CHN, IRN]" or empty
    std::string after;
  };

  // Compares `old_result` and `new_result` for the same document.
  void Add(const std::string& document_id, const entente::v1::ClassifyResult& old_result,
           const entente::v1::ClassifyResult& new_result);

  int64_t documents() const { return documents_; }
  int64_t unchanged() const { return unchanged_; }
  // Count of changes by kind and stance.
  int64_t Count(Kind kind, const std::string& stance) const;
  int64_t Count(Kind kind) const;
  const std::vector<Change>& samples() const { return samples_; }

  // Counts per stance and kind, then up to `max_samples` samples per kind.
  std::string Format(int max_samples) const;

  static const char* KindName(Kind kind);

 private:
  int64_t documents_ = 0;
  int64_t unchanged_ = 0;
  std::map<std::pair<int, std::string>, int64_t> counts_;
  std::vector<Change> samples_;
};

}  // namespace entente

#endif  // ENTENTE_ENGINE_RESULT_DIFF_H_
