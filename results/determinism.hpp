#pragma once
// Is the failure a property of the flow (its hash) or random loss? Decided
// from re-probes of failing and passing tuples (docs/BUCKETS.md).
#include "results/exact_tests.hpp"

#include <cstdint>
#include <string_view>

namespace tlsprobe::results {

enum class DeterminismVerdict {
    no_failures,    // nothing failed first: nothing to test
    random_loss,    // a first failure does not make a repeat failure more likely
    per_flow,       // significant, and no tuple flips more than background loss explains
    per_flow_flips, // significant, and some tuples change outcome between tries
};

[[nodiscard]] std::string_view to_string(DeterminismVerdict verdict);

// What the tuples probed more than once did.
struct RepeatEvidence {
    RepeatTable table;              // first try against second try
    std::uint64_t repeated = 0;     // tuples probed at least twice
    std::uint64_t flipped = 0;      // failed at least twice and passed at least once
    std::uint64_t unconfirmed = 0;  // two tries, one failed: background loss or a flip
    std::uint64_t background = 0;   // failed once, passed at least twice: background loss
};

struct DeterminismResult {
    RepeatEvidence evidence;
    double p_value = 1.0;              // one-sided Fisher exact test on the table
    double unconfirmed_p_value = 1.0;  // P(X >= unconfirmed), X ~ Binomial(repeated, 2 p0 (1 - p0))
    DeterminismVerdict verdict = DeterminismVerdict::no_failures;
};

// per_flow* when the Fisher p-value is below alpha. "flips" when a tuple
// failed twice and passed once or more (one background loss does not do
// that), or when more tuples failed one of two tries than a background
// failure rate p0 explains (binomial test below alpha). A tuple that failed
// once and passed twice counts as background loss.
[[nodiscard]] DeterminismResult assess_determinism(const RepeatEvidence& evidence, double background, double alpha);

}  // namespace tlsprobe::results
