#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <optional>

#include <array>
#include <memory>

#include "cli/command.hpp"
#include "cli/scenario_flags.hpp"
#include "reports/analysis_text.hpp"
#include "reports/health_text.hpp"
#include "reports/run_summary.hpp"
#include "runs/exit_decision.hpp"
#include "runs/report_session.hpp"
#include "runs/run_history.hpp"
#include "runs/run_session.hpp"

namespace tlsprobe::cli {
namespace {

// The keys `run` takes as flags besides the probe's.
constexpr std::array<std::string_view, 8> run_keys{
    "probe.ports_file", "probe.port_order", "probe.count", "probe.duration",
    "capture",          "probe.capture_linger", "buckets.model", "out",
};

struct RunOptions {
    std::shared_ptr<ScenarioFlags> flags;
    std::optional<std::filesystem::path> history_file;
};

int run(const RunOptions& options)
{
    const auto loaded = options.flags->load();
    check_scenario_names(loaded);
    const auto started = std::chrono::system_clock::now();
    const auto result = runs::run_session(loaded.scenario);
    (void)runs::leave_run_report(result.dir, &result);
    fmt::print("{}", reports::run_summary_table(result.fleet.stats, result.facts));
    if (result.analysis) {
        fmt::print("\n{}", reports::analysis_report(*result.analysis, *result.inputs));
    }
    if (const auto why = reports::health_text(result.judgement); !why.empty()) {
        fmt::print("\n{}", why);
    }
    auto code = runs::exit_code(result.judgement, result.fleet.interrupted);
    if (options.history_file) {
        const auto entry = runs::history_entry(loaded.scenario, result, result.judgement, nullptr, code, started,
                                               std::chrono::system_clock::now());
        if (const auto problem = runs::append_to_history(*options.history_file, entry)) {
            spdlog::error("{}", problem->message);
            code = code == core::ExitCode::healthy ? problem->exit_code : code;
        }
    }
    return static_cast<int>(code);
}

}  // namespace

Command add_run_command(CLI::App& parent)
{
    auto* app = parent.add_subcommand("run", "Probe a TLS target from many source ports and record every attempt");
    auto options = std::make_shared<RunOptions>();
    options->flags = std::make_shared<ScenarioFlags>(*app, probe_keys, run_keys);
    app->add_option("--history", options->history_file,
                    "Append this run to the run history (SQLite, docs/HISTORY.md) at this file");
    return {app, [options] { return run(*options); }};
}

}  // namespace tlsprobe::cli
