// File: engine/scorer.h
//
// Scoring combines the evidence of one sentence into annotations. Evidence
// is grouped by (sentence, stance, polarity, holder set); each group becomes
// one annotation whose score is the noisy-OR of its contributions:
//
//   contribution_i = weight_i * prod(factor of each modifier applied to i)
//   score          = 1 - prod_i (1 - contribution_i)
//
// so independent rules that agree raise the score, and a hedge or a negation
// with a factor below 1 lowers it. A rule's weight is its prior precision.
//
//   std::vector<entente::ScoredEvidence> items = ...;
//   entente::v1::ClassifyResult result;
//   entente::CombineEvidence(std::move(items), 0.0, result.mutable_annotations(), nullptr);

#ifndef ENTENTE_ENGINE_SCORER_H_
#define ENTENTE_ENGINE_SCORER_H_

#include <string>
#include <vector>

#include "google/protobuf/repeated_field.h"
#include "proto/result.pb.h"

namespace entente {

// One piece of evidence after context and attribution.
struct ScoredEvidence {
  int sentence_index = 0;
  entente::v1::Span sentence;
  std::string stance;
  entente::v1::Polarity polarity = entente::v1::SUPPORT;  // after modifiers
  std::vector<entente::v1::Holder> holders;
  entente::v1::Evidence evidence;  // contribution filled in
};

// The noisy-OR of `contributions`, each in [0, 1].
double NoisyOr(const std::vector<double>& contributions);

// Groups `items` and appends one annotation per group with score at least
// `min_score` to `out`, ordered by sentence, then stance, then polarity.
// When `steps` is not null, appends the arithmetic of each score.
void CombineEvidence(std::vector<ScoredEvidence> items, double min_score,
                     google::protobuf::RepeatedPtrField<entente::v1::Annotation>* out,
                     std::vector<std::pair<int, std::string>>* steps);

}  // namespace entente

#endif  // ENTENTE_ENGINE_SCORER_H_
