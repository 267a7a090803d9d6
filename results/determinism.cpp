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

DeterminismResult assess_determinism(const RepeatTable& table, double alpha) {
    DeterminismResult result{table, fisher_exact_greater(table), DeterminismVerdict::no_failures};
    if (table.failed_failed + table.failed_passed == 0) {
        return result;
    }
    if (result.p_value >= alpha) {
        result.verdict = DeterminismVerdict::random_loss;
    } else if (table.failed_passed > 0) {
        result.verdict = DeterminismVerdict::per_flow_flips;
    } else {
        result.verdict = DeterminismVerdict::per_flow;
    }
    return result;
}

}  // namespace tlsprobe::results
