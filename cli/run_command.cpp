#include <fmt/format.h>

#include <array>
#include <memory>

#include "cli/command.hpp"
#include "cli/scenario_flags.hpp"
#include "reports/analysis_text.hpp"
#include "reports/health_text.hpp"
#include "reports/run_summary.hpp"
#include "runs/exit_decision.hpp"
#include "runs/run_session.hpp"

namespace tlsprobe::cli {
namespace {

// The keys `run` takes as flags besides the probe's.
constexpr std::array<std::string_view, 8> run_keys{
    "probe.ports_file", "probe.port_order", "probe.count", "probe.duration",
    "capture",          "probe.capture_linger", "buckets.model", "out",
};

int run(const ScenarioFlags& flags)
{
    const auto loaded = flags.load();
    check_scenario_names(loaded);
    const auto result = runs::run_session(loaded.scenario);
    fmt::print("{}", reports::run_summary_table(result.fleet.stats, result.facts));
    if (result.analysis) {
        fmt::print("\n{}", reports::analysis_report(*result.analysis, *result.inputs));
    }
    if (const auto why = reports::health_text(result.judgement); !why.empty()) {
        fmt::print("\n{}", why);
    }
    return static_cast<int>(runs::exit_code(result.judgement, result.fleet.interrupted));
}

}  // namespace

Command add_run_command(CLI::App& parent)
{
    auto* app = parent.add_subcommand("run", "Probe a TLS target from many source ports and record every attempt");
    auto flags = std::make_shared<ScenarioFlags>(*app, probe_keys, run_keys);
    return {app, [flags] { return run(*flags); }};
}

}  // namespace tlsprobe::cli
