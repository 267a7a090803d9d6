#include "scenarios/scenario.hpp"

#include "core/errors.hpp"

namespace tlsprobe::scenarios {

std::vector<std::string> validate(Scenario& scenario)
{
    auto& plan = scenario.plan;
    if (plan.target.host.empty()) {
        throw core::UsageError("target", " is required");
    }
    if (!(scenario.background_loss >= 0.0 && scenario.background_loss < 1.0)) {
        throw core::UsageError("background_loss", ": must be in [0, 1)");
    }
    validate(scenario.captures);
    validate(scenario.thresholds);
    return validate(plan);
}

}  // namespace tlsprobe::scenarios
