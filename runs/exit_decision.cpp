#include "runs/exit_decision.hpp"

namespace tlsprobe::runs {

core::ExitCode exit_code(const results::HealthJudgement& judgement, bool interrupted)
{
    if (interrupted) {
        return core::ExitCode::interrupted;
    }
    switch (judgement.health) {
    case results::Health::healthy: return core::ExitCode::healthy;
    case results::Health::unhealthy: return core::ExitCode::unhealthy;
    case results::Health::insufficient_evidence: return core::ExitCode::insufficient_evidence;
    }
    return core::ExitCode::insufficient_evidence;
}

core::ExitCode exit_code(results::CompareVerdict verdict)
{
    switch (verdict) {
    case results::CompareVerdict::improved:
    case results::CompareVerdict::unchanged: return core::ExitCode::healthy;
    case results::CompareVerdict::regressed: return core::ExitCode::unhealthy;
    case results::CompareVerdict::inconclusive: return core::ExitCode::insufficient_evidence;
    }
    return core::ExitCode::insufficient_evidence;
}

}  // namespace tlsprobe::runs
