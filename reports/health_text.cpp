#include "reports/health_text.hpp"

#include <fmt/format.h>

namespace tlsprobe::reports {

std::string health_text(const results::HealthJudgement& judgement)
{
    if (judgement.health == results::Health::healthy) {
        return {};
    }
    std::string out = judgement.health == results::Health::unhealthy ? "Unhealthy:\n" : "Not enough evidence:\n";
    for (const auto& reason : judgement.reasons) {
        out += fmt::format("  - {}\n", reason);
    }
    return out;
}

}  // namespace tlsprobe::reports
