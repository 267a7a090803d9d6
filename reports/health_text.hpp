#pragma once
// Why a run is not healthy, in sentences after its tables.
#include <string>

#include "results/health.hpp"

namespace tlsprobe::reports {

// Empty when healthy; otherwise "Unhealthy:" or "Not enough evidence:" and one line per reason.
[[nodiscard]] std::string health_text(const results::HealthJudgement& judgement);

}  // namespace tlsprobe::reports
