#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <memory>

#include "cli/command.hpp"
#include "cli/enum_option.hpp"
#include "cli/error_message.hpp"
#include "cli/number_checks.hpp"
#include "cli/probe_flags.hpp"
#include "core/durations.hpp"
#include "core/errors.hpp"
#include "runs/exit_decision.hpp"
#include "runs/run_session.hpp"
#include "reports/analysis_text.hpp"
#include "reports/health_text.hpp"
#include "reports/run_summary.hpp"
#include "scenarios/run_plan.hpp"

namespace tlsprobe::cli {
namespace {

// Ten million probes is days at the default rate cap; more is a typo.
constexpr long long max_count = 10'000'000;

struct RunOptions {
    ProbeFlags probe;
    std::string ports_file;
    std::string out_dir;
    std::optional<double> duration_s;
    std::vector<std::string> captures;
    double capture_linger_s = 3;
};

runs::RunRequest build_request(RunOptions& options)
{
    auto& plan = options.probe.plan;
    if (!options.ports_file.empty()) {
        plan.ports = scenarios::read_ports_file(options.ports_file);
    }
    fill_plan(options.probe);
    if (options.duration_s) {
        plan.duration = core::seconds_flag(*options.duration_s);
    }
    for (const auto& note : scenarios::validate(plan)) {
        spdlog::warn("{}", flags_in(note));
    }
    return {.plan = plan,
            .captures = runs::parse_capture_specs(options.captures),
            .capture_linger = core::seconds_flag(options.capture_linger_s),
            .out_dir = options.out_dir};
}

int run(RunOptions& options)
{
    const auto result = runs::run_session(build_request(options));
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
    auto options = std::make_shared<RunOptions>();
    auto& plan = options->probe.plan;
    auto* app = parent.add_subcommand("run", "Probe a TLS target from many source ports and record every attempt");
    auto* ports = add_probe_flags(*app, options->probe);
    app->add_option("--ports-file", options->ports_file, "File with one source port per line")->excludes(ports);
    add_enum_option(*app, "--port-order", plan.port_order, scenarios::port_order_names,
                    "sweep: the ports in order; random: one seeded permutation");
    auto* count = app->add_option("--count", plan.count, "Probes to run (default: one per source port)")
                      ->check(whole_number_from_to(1, max_count));
    app->add_option("--duration", options->duration_s, "Run for this many seconds at --rate")
        ->check(greater_than_zero)
        ->excludes(count);
    app->add_option("--out", options->out_dir, "Run directory (default: runs/<UTC time>)");
    app->add_option("--capture", options->captures,
                    "NAME=INTERFACE or NAME=COMMAND: a capture vantage (repeatable); client and server are analysed")
        ->take_all()
        ->allow_extra_args(false);
    app->add_option("--capture-linger", options->capture_linger_s,
                    "Seconds the captures keep running after the last probe, for late FINs and resets")
        ->capture_default_str()
        ->check(at_least_zero);
    return {app, [options] { return run(*options); }};
}

}  // namespace tlsprobe::cli
