// File: cli/result_text.h
//
// The human-readable form of a result, for analysts at a terminal: each
// sentence with a stance, its annotations (stance, polarity, holders,
// score) and their evidence (rule, words, modifiers, contribution), then the
// document aggregate. With an explanation, also near misses, triggers,
// attribution steps and the score arithmetic.

#ifndef ENTENTE_CLI_RESULT_TEXT_H_
#define ENTENTE_CLI_RESULT_TEXT_H_

#include <string>

#include "proto/result.pb.h"

namespace entente {

// Formats `result` for a terminal. `text` is the classified text.
std::string FormatResultText(const entente::v1::ClassifyResult& result);

// Formats the explanation part of `result` (empty if none).
std::string FormatExplanationText(const entente::v1::ClassifyResult& result);

// How a holder was found, as analysts read it: "first_person", "subject".
std::string ViaText(entente::v1::Holder::Via via);

// What a rule did, as analysts read it: "fired", "near_miss", "partial".
std::string OutcomeText(entente::v1::RuleTrace::Outcome outcome);

}  // namespace entente

#endif  // ENTENTE_CLI_RESULT_TEXT_H_
