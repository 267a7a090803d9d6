#pragma once
// Is the failure a property of the flow (its hash) or random loss? Decided
// from re-probes of failing and passing tuples (docs/BUCKETS.md).
#include "results/exact_tests.hpp"

#include <string_view>

namespace tlsprobe::results {

enum class DeterminismVerdict {
    no_failures,    // nothing failed first: nothing to test
    random_loss,    // a first failure does not make a repeat failure more likely
    per_flow,       // significant, and every failing tuple failed again
    per_flow_flips, // significant, but some tuples changed outcome between tries
};

[[nodiscard]] std::string_view to_string(DeterminismVerdict verdict);

struct DeterminismResult {
    RepeatTable table;
    double p_value = 1.0;  // one-sided Fisher exact test
    DeterminismVerdict verdict = DeterminismVerdict::no_failures;
};

// per_flow* when the Fisher p-value is below alpha; "flips" when any first
// failure passed on repeat (failed_passed > 0). A flip can also be a clean
// tuple that lost its first try to background loss: re-probing such tuples
// once more tells the two apart.
[[nodiscard]] DeterminismResult assess_determinism(const RepeatTable& table, double alpha);

}  // namespace tlsprobe::results
