#include <array>
#include <memory>

#include "cli/bucket_flags.hpp"
#include "cli/command.hpp"
#include "cli/scenario_flags.hpp"
#include "runs/hunt_session.hpp"
#include "runs/report_session.hpp"

namespace tlsprobe::cli {
namespace {

// The keys `hunt` takes as flags besides the probe's. Count and duration
// give way to the budget; a hunt captures nothing.
constexpr std::array<std::string_view, 5> hunt_keys{
    "buckets.model", "buckets.background_loss", "hunt.budget", "hunt.repeat_gap", "out",
};

int hunt(const ScenarioFlags& flags)
{
    const auto loaded = flags.load();
    check_scenario_names(loaded);
    const auto& scenario = loaded.scenario;
    const BucketSettings settings({.model = scenario.hash_model, .background = scenario.background_loss});
    const auto result = runs::hunt_session({.scenario = scenario, .buckets = settings.config()});
    (void)runs::leave_run_report(result.dir);
    return print_bucket_report(result.analysis, result.report.interrupted);
}

}  // namespace

Command add_hunt_command(CLI::App& parent)
{
    auto* app = parent.add_subcommand(
        "hunt", "Probe adaptively until per-flow fault or random loss, and the faulty buckets, are settled");
    auto flags = std::make_shared<ScenarioFlags>(*app, probe_keys, hunt_keys);
    return {app, [flags] { return hunt(*flags); }};
}

}  // namespace tlsprobe::cli
