#pragma once
// The one place that turns what a command found into its exit code
// (README "Exit codes", core::ExitCode).
#include "core/errors.hpp"
#include "results/health.hpp"
#include "results/run_comparison.hpp"

namespace tlsprobe::runs {

// Interrupted wins (the records written so far are valid but partial); then
// healthy 0, unhealthy 1, insufficient evidence 4.
[[nodiscard]] core::ExitCode exit_code(const results::HealthJudgement& judgement, bool interrupted);

// `compare`: improved and unchanged 0, regressed 1, inconclusive 4.
[[nodiscard]] core::ExitCode exit_code(results::CompareVerdict verdict);

}  // namespace tlsprobe::runs
