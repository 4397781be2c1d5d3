// File: engine/aggregate.h
//
// The document aggregate: the stances each actor holds over the whole
// document, and alignment edges between actors that share a stance and
// polarity. An edge is mutual when a reciprocal rule (mutual: true) had both
// actors among the holders of one annotation ("China and Iran support each
// other").
//
//   entente::v1::DocumentAggregate aggregate =
//       entente::AggregateDocument(rules, result.annotations());

#ifndef ENTENTE_ENGINE_AGGREGATE_H_
#define ENTENTE_ENGINE_AGGREGATE_H_

#include "engine/compiled_rule_set.h"
#include "google/protobuf/repeated_field.h"
#include "proto/result.pb.h"

namespace entente {

// Builds the aggregate of `annotations`. Actor stances are ordered by actor,
// stance, polarity; edges by stance, polarity, actor_a, actor_b. OTHER (the
// unnamed groups) takes part in actor stances but not in edges.
entente::v1::DocumentAggregate AggregateDocument(
    const CompiledRuleSet& rules,
    const google::protobuf::RepeatedPtrField<entente::v1::Annotation>& annotations);

}  // namespace entente

#endif  // ENTENTE_ENGINE_AGGREGATE_H_
