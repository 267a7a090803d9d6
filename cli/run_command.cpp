#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <memory>
#include <set>
#include <thread>

#include "cli/command.hpp"
#include "cli/probe_flags.hpp"
#include "core/durations.hpp"
#include "runs/capture_agents.hpp"
#include "prober/client_tls.hpp"
#include "prober/fleet.hpp"
#include "prober/fleet_setup.hpp"
#include "prober/port_plan.hpp"
#include "results/analysis.hpp"
#include "core/errors.hpp"
#include "core/jsonl_writer.hpp"
#include "core/atomic_file.hpp"
#include "runs/run_directory.hpp"
#include "prober/run_stats.hpp"
#include "reports/analysis_text.hpp"
#include "reports/run_summary.hpp"
#include "scenarios/run_plan.hpp"

namespace tlsprobe::cli {
namespace {

namespace asio = boost::asio;
using core::ExitCode;

struct RunOptions {
    ProbeFlags probe;
    std::string ports_file;
    std::string port_order = "sweep";
    std::string out_dir;
    std::optional<double> duration_s;
    std::vector<std::string> captures;
    double capture_linger_s = 3;
};

std::filesystem::path prepare_out_dir(const std::string& requested)
{
    if (!requested.empty() && std::filesystem::exists(std::filesystem::path(requested) / "probes.jsonl")) {
        throw core::UsageError("--out: " + requested + " already holds a run (probes.jsonl); choose another");
    }
    return runs::make_run_directory(requested, "");
}

// With a client capture, the run ends with the verdicts, as `tlsprobe analyze DIR` would give them.
void analyze_run(const std::filesystem::path& dir)
{
    const auto inputs = runs::read_run_directory(dir);
    const auto analysis = results::analyze(inputs);
    results::write_analysis(analysis, inputs, dir);
    fmt::print("\n{}", reports::analysis_report(analysis, inputs));
}

scenarios::RunPlan build_plan(RunOptions& options)
{
    auto& plan = options.probe.plan;
    if (!options.ports_file.empty()) {
        plan.ports = scenarios::read_ports_file(options.ports_file);
    }
    fill_plan(options.probe);
    if (options.duration_s) {
        plan.duration = core::seconds_flag(*options.duration_s);
    }
    plan.port_order = options.port_order == "random" ? scenarios::PortOrder::random : scenarios::PortOrder::sweep;
    for (const auto& note : scenarios::validate(plan)) {
        spdlog::warn("{}", note);
    }
    return plan;
}

int run(RunOptions& options)
{
    const auto plan = build_plan(options);
    const auto [target, source] = prober::resolve_fleet_endpoints(plan);
    prober::raise_open_files_limit(plan.concurrency);
    const prober::ClientTls tls(plan.tls, plan.target.host);
    const auto dir = prepare_out_dir(options.out_dir);
    const core::JsonlWriter probes(dir / "probes.jsonl");

    spdlog::info("probing {}:{} ({}) from {} ports, {} probes at {}/s, concurrency {}, records in {}",
                 plan.target.host, plan.target.port, target.address().to_string(),
                 prober::PortPlan(plan).size(),
                 scenarios::planned_probes(plan), plan.rate, plan.concurrency, dir.string());
    runs::CaptureAgents agents(options.captures, plan.target.port, dir);
    prober::Fleet fleet(plan, target, source, tls, [&probes](const prober::ProbeRecord& record) {
        probes.append(boost::json::serialize(prober::to_json(record)));
    });
    const auto report = fleet.run();
    agents.stop(core::seconds_flag(options.capture_linger_s));

    const prober::RunFacts facts{
        .target = fmt::format("{}:{}", plan.target.host, plan.target.port),
        .planned = scenarios::planned_probes(plan),
        .wall_seconds = report.wall_seconds,
        .interrupted = report.interrupted,
        .late_starts = report.late_starts,
    };
    auto summary = prober::summary_json(report.stats, facts);
    summary["plan"] = scenarios::plan_json(plan);
    summary["abandoned"] = report.abandoned;
    core::write_file_atomically(dir / "summary.json", boost::json::serialize(summary) + "\n");
    fmt::print("{}", reports::run_summary_table(report.stats, facts));
    if (report.abandoned != 0) {
        spdlog::warn("{} probes were still in flight after the {} s grace and have no record", report.abandoned,
                     prober::interrupt_grace.count());
    }
    if (std::filesystem::exists(runs::vantage_flows_file(dir, "client"))) {
        analyze_run(dir);
    }
    if (report.interrupted) {
        return static_cast<int>(core::ExitCode::interrupted);
    }
    const auto failures = report.stats.probes() - report.stats.count(prober::Outcome::ok) -
                          report.stats.count(prober::Outcome::local_error);
    return static_cast<int>(failures == 0 ? core::ExitCode::healthy : core::ExitCode::unhealthy);
}

}  // namespace

Command add_run_command(CLI::App& parent)
{
    auto options = std::make_shared<RunOptions>();
    auto& plan = options->probe.plan;
    auto* app = parent.add_subcommand("run", "Probe a TLS target from many source ports and record every attempt");
    auto* ports = add_probe_flags(*app, options->probe);
    app->add_option("--ports-file", options->ports_file, "File with one source port per line")->excludes(ports);
    app->add_option("--port-order", options->port_order,
                    "sweep: the ports in order; random: one seeded permutation")
        ->check(CLI::IsMember({"sweep", "random"}))
        ->capture_default_str();
    auto* count = app->add_option("--count", plan.count, "Probes to run (default: one per source port)");
    app->add_option("--duration", options->duration_s, "Run for this many seconds at --rate")
        ->check(CLI::PositiveNumber)
        ->excludes(count);
    app->add_option("--out", options->out_dir, "Run directory (default: runs/<UTC time>)");
    app->add_option("--capture", options->captures,
                    "NAME=INTERFACE or NAME=COMMAND: a capture vantage (repeatable); client and server are analysed")
        ->take_all()
        ->allow_extra_args(false);
    app->add_option("--capture-linger", options->capture_linger_s,
                    "Seconds the captures keep running after the last probe, for late FINs and resets")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    return {app, [options] { return run(*options); }};
}

}  // namespace tlsprobe::cli
