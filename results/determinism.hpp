#pragma once
// Is the failure a property of the flow (its hash) or random loss? Decided
// from re-probes of failing and passing tuples (docs/BUCKETS.md).
#include "results/exact_tests.hpp"

#include <cstdint>
#include <string_view>

namespace tlsprobe::results {

enum class DeterminismVerdict {
    no_repeats,     // no tuple was probed twice: determinism is not tested
    no_failures,    // no repeated tuple failed its first try: nothing to test
    random_loss,    // a first failure does not make a repeat failure more likely
    per_flow,       // significant, and no tuple flips more than background loss explains
    per_flow_flips, // tied to flows, and some tuples change outcome between tries
};

[[nodiscard]] std::string_view to_string(DeterminismVerdict verdict);

// What the tuples probed more than once did.
struct RepeatEvidence {
    RepeatTable table;              // first try against second try
    std::uint64_t repeated = 0;     // tuples probed at least twice
    std::uint64_t flipped = 0;      // failed at least twice and passed at least once
    std::uint64_t unconfirmed = 0;  // two tries, one failed: background loss or a flip
    std::uint64_t background = 0;   // failed once, passed at least twice: background loss
    // Tuples whose first two tries disagreed and that were tried again, how
    // many of them failed a later try (flipped), and the most later tries
    // one of them had.
    std::uint64_t retried = 0;
    std::uint64_t retried_failed = 0;
    std::uint64_t most_later_tries = 0;
};

struct DeterminismResult {
    RepeatEvidence evidence;
    double p_value = 1.0;              // one-sided Fisher exact test on the table
    double unconfirmed_p_value = 1.0;  // P(X >= unconfirmed), X ~ Binomial(repeated, 2 p0 (1 - p0))
    // P(X >= retried_failed), X ~ Binomial(retried, 1 - (1 - p0)^most_later_tries)
    double retried_p_value = 1.0;
    DeterminismVerdict verdict = DeterminismVerdict::no_failures;
};

// per_flow* when the Fisher p-value is below alpha; then "flips" when
// tuples change outcome more than a background failure rate p0 explains: a
// tuple failed its first two tries and passed a later one; or, of the
// tuples whose first two tries disagreed, more failed a later try than p0
// explains; or more tuples failed one of only two tries than p0 explains
// (each a binomial test below alpha). Without a significant Fisher test,
// retried tuples failing again beyond p0 still make it per_flow_flips: the
// failures are tied to flows, but each try of them fails only sometimes.
[[nodiscard]] DeterminismResult assess_determinism(const RepeatEvidence& evidence, double background, double alpha);

}  // namespace tlsprobe::results
