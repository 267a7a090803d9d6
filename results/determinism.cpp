#include "results/determinism.hpp"

namespace tlsprobe::results {

std::string_view to_string(DeterminismVerdict verdict) {
    switch (verdict) {
    case DeterminismVerdict::no_failures: return "no_failures";
    case DeterminismVerdict::random_loss: return "random_loss";
    case DeterminismVerdict::per_flow: return "per_flow";
    case DeterminismVerdict::per_flow_flips: return "per_flow_flips";
    }
    return "unknown";
}

DeterminismResult assess_determinism(const RepeatEvidence& evidence, double background, double alpha) {
    DeterminismResult result{.evidence = evidence,
                             .p_value = fisher_exact_greater(evidence.table),
                             .unconfirmed_p_value = binomial_upper_tail(evidence.unconfirmed, evidence.repeated,
                                                                        2.0 * background * (1.0 - background)),
                             .verdict = DeterminismVerdict::no_failures};
    const auto& table = evidence.table;
    if (table.failed_failed + table.failed_passed == 0) {
        return result;
    }
    if (result.p_value >= alpha) {
        result.verdict = DeterminismVerdict::random_loss;
    } else if (evidence.flipped > 0 || result.unconfirmed_p_value < alpha) {
        result.verdict = DeterminismVerdict::per_flow_flips;
    } else {
        result.verdict = DeterminismVerdict::per_flow;
    }
    return result;
}

}  // namespace tlsprobe::results
