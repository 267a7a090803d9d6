#include <fmt/format.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <array>
#include <exception>
#include <memory>

#include "cli/command.hpp"
#include "cli/scenario_flags.hpp"
#include "reports/canary_text.hpp"
#include "runs/canary_session.hpp"
#include "runs/state_directory.hpp"

namespace tlsprobe::cli {
namespace {

// The keys `canary` takes as flags besides the probe's.
constexpr std::array<std::string_view, 8> canary_keys{
    "probe.count",   "probe.duration", "probe.max_seconds", "capture",
    "probe.capture_linger", "buckets.model", "buckets.background_loss", "canary.vantage",
};

struct CanaryOptions {
    std::shared_ptr<ScenarioFlags> flags;
    std::string state_dir{runs::default_state_directory};
    std::optional<std::filesystem::path> metrics_dir;
    std::optional<std::filesystem::path> history_file;
};

// Holds what the canary logs while it runs: cron mails any output, so a
// healthy run says nothing; when it is not healthy, or fails, the lines are
// replayed on stderr after the report.
class QuietLog {
public:
    QuietLog() : previous_(spdlog::default_logger()), lines_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(200))
    {
        auto logger = std::make_shared<spdlog::logger>("tlsprobe-canary", lines_);
        logger->set_pattern("tlsprobe: %l: %v");
        logger->set_level(previous_->level());
        spdlog::set_default_logger(logger);
    }
    QuietLog(const QuietLog&) = delete;
    QuietLog& operator=(const QuietLog&) = delete;
    ~QuietLog()
    {
        spdlog::set_default_logger(previous_);
        if (std::uncaught_exceptions() > 0) {
            replay();
        }
    }
    void replay() const
    {
        for (const auto& line : lines_->last_formatted()) {
            fmt::print(stderr, "{}", line);
        }
    }

private:
    std::shared_ptr<spdlog::logger> previous_;
    std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> lines_;
};

int canary(const CanaryOptions& options)
{
    const QuietLog log;
    auto loaded = options.flags->load();
    check_scenario_names(loaded);
    const auto& scenario = loaded.scenario;
    const auto result = runs::canary_session({.scenario = scenario,
                                              .state_dir = options.state_dir,
                                              .metrics_dir = options.metrics_dir,
                                              .history_file = options.history_file.value_or(
                                                  runs::history_file_in(options.state_dir))});
    if (result.history_problem) {
        spdlog::error("{}", *result.history_problem);
    }
    if (result.exit_code != core::ExitCode::healthy) {
        fmt::print("{}", reports::canary_text({.scenario = scenario.name,
                                               .exit_code = static_cast<int>(result.exit_code),
                                               .run_dir = result.run.dir,
                                               .judgement = &result.judgement,
                                               .stats = &result.run.fleet.stats,
                                               .analysis = result.run.analysis ? &*result.run.analysis : nullptr,
                                               .buckets = result.buckets ? &*result.buckets : nullptr,
                                               .html_report = result.report}));
        std::fflush(stdout);
        log.replay();
    }
    return static_cast<int>(result.exit_code);
}

}  // namespace

Command add_canary_command(CLI::App& parent)
{
    auto options = std::make_shared<CanaryOptions>();
    auto* app = parent.add_subcommand(
        "canary", "One bounded run of a scenario for cron: silent when healthy, a short report and exit 1 when "
                  "not, exit 4 on too little evidence, exit 5 when another canary of the scenario runs");
    options->flags = std::make_shared<ScenarioFlags>(*app, probe_keys, canary_keys);
    options->flags->take_file_as_argument(*app);
    app->add_option("--state-dir", options->state_dir, "Locks and run directories (runs/<scenario>/<UTC time>)")
        ->capture_default_str();
    app->add_option("--metrics-dir", options->metrics_dir,
                    "node_exporter's textfile directory: tlsprobe_<scenario>.prom is replaced there after each run");
    app->add_option("--history", options->history_file,
                    "The run history (SQLite) each run is appended to (default: STATE_DIR/history.sqlite)");
    return {app, [options] { return canary(*options); }};
}

}  // namespace tlsprobe::cli
