#include "results/determinism.hpp"

#include <cmath>

namespace tlsprobe::results {

std::string_view to_string(DeterminismVerdict verdict) {
    switch (verdict) {
    case DeterminismVerdict::no_repeats: return "no_repeats";
    case DeterminismVerdict::no_failures: return "no_failures";
    case DeterminismVerdict::random_loss: return "random_loss";
    case DeterminismVerdict::per_flow: return "per_flow";
    case DeterminismVerdict::per_flow_flips: return "per_flow_flips";
    }
    return "unknown";
}

DeterminismResult assess_determinism(const RepeatEvidence& evidence, double background, double alpha) {
    const double later_failure = -std::expm1(static_cast<double>(evidence.most_later_tries) * std::log1p(-background));
    DeterminismResult result{
        .evidence = evidence,
        .p_value = fisher_exact_greater(evidence.table),
        .unconfirmed_p_value =
            binomial_upper_tail(evidence.unconfirmed, evidence.repeated, 2.0 * background * (1.0 - background)),
        .retried_p_value = binomial_upper_tail(evidence.retried_failed, evidence.retried, later_failure),
        .verdict = DeterminismVerdict::no_failures};
    const auto& table = evidence.table;
    if (table.failed_failed + table.failed_passed + table.passed_failed + table.passed_passed == 0) {
        result.verdict = DeterminismVerdict::no_repeats;
        return result;
    }
    if (table.failed_failed + table.failed_passed == 0) {
        return result;
    }
    // Flipped tuples that are not retried ones failed their first two tries.
    const bool failed_twice_then_passed = evidence.flipped > evidence.retried_failed;
    const bool retried_fail_again = result.retried_p_value < alpha;
    if (result.p_value < alpha) {
        const bool flips = failed_twice_then_passed || retried_fail_again || result.unconfirmed_p_value < alpha;
        result.verdict = flips ? DeterminismVerdict::per_flow_flips : DeterminismVerdict::per_flow;
    } else {
        // Tuples whose tries disagreed failing again more than background
        // loss explains are tied to their flow even when the first and second
        // tries alone do not show it (a fault that hits half the tries).
        result.verdict = retried_fail_again ? DeterminismVerdict::per_flow_flips : DeterminismVerdict::random_loss;
    }
    return result;
}

}  // namespace tlsprobe::results
