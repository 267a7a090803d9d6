#include "runs/run_session.hpp"

#include <boost/json/serialize.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/errors.hpp"
#include "core/stop_signals.hpp"
#include "core/jsonl_writer.hpp"
#include "prober/client_tls.hpp"
#include "prober/fleet_setup.hpp"
#include "prober/port_plan.hpp"
#include "runs/capture_agents.hpp"
#include "runs/run_directory.hpp"

namespace tlsprobe::runs {
namespace {

// The verdicts, as `tlsprobe analyze DIR` would give them. A vantage whose
// agent stopped early saw only part of the run: it is left out, so every
// verdict that needs it says `unknown` instead of blaming the path for what
// the capture missed.
void analyze_captures(RunResult& result, std::span<const VantageProblem> stopped, const scenarios::Thresholds& thresholds)
{
    result.inputs = std::make_unique<results::AnalysisInputs>(read_run_directory(result.dir));
    for (const auto& problem : stopped) {
        if (problem.vantage == "server") {
            result.inputs->server.reset();
        } else if (problem.vantage == "client") {
            result.inputs->client.reset();
        }
    }
    if (!result.inputs->client) {
        result.inputs.reset();
        return;
    }
    result.analysis = results::analyze(*result.inputs);
    results::write_analysis(*result.analysis, *result.inputs, result.dir);
    result.judgement.merge(results::judge_verdicts(result.analysis->counts, thresholds));
}

// The plan with the fleet's share of the run's wall-clock bound: what is
// left of max_seconds once the agents started, less the captures' linger
// and the grace of probes in flight.
scenarios::RunPlan bounded_plan(const scenarios::Scenario& scenario, std::chrono::steady_clock::time_point start)
{
    auto plan = scenario.plan;
    if (scenario.max_run.count() > 0) {
        const auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
        const auto linger = scenario.captures.empty() ? std::chrono::milliseconds(0) : scenario.capture_linger;
        const auto left = scenario.max_run - spent - linger - prober::interrupt_grace;
        plan.stop_after = std::max(left, std::chrono::milliseconds(1));
    }
    return plan;
}

}  // namespace

RunResult run_session(const scenarios::Scenario& scenario)
{
    const auto session_start = std::chrono::steady_clock::now();
    const auto& plan = scenario.plan;
    const auto endpoints = prober::resolve_fleet_endpoints(plan);
    prober::check_source_address(endpoints);
    check_capture_interfaces(scenario.captures);
    refuse_existing_run(plan.out_dir);
    prober::raise_open_files_limit(plan.concurrency);
    const prober::ClientTls tls(plan.tls, plan.target.host);

    // From here on SIGINT and SIGTERM wait for the fleet, which ends the run
    // in order (records, summary, report) however early they came: a stop
    // while the capture agents start must not kill the process with a run
    // directory and no summary.
    const core::StopSignals stop_signals;
    RunResult result;
    result.dir = make_run_directory(plan.out_dir.string(), "");
    const auto scenario_sha256 = write_scenario_file(result.dir, scenario);
    core::JsonlWriter probes(result.dir / "probes.jsonl");
    spdlog::info("probing {}:{} ({}) from {} ports, {} probes at {}/s, concurrency {}, records in {}",
                 plan.target.host, plan.target.port, endpoints.target.address().to_string(),
                 prober::PortPlan(plan).size(), scenarios::planned_probes(plan), plan.rate, plan.concurrency,
                 result.dir.string());
    CaptureAgents agents(scenario.captures, plan.target.port, result.dir);
    const auto started = std::chrono::system_clock::now();
    const auto fleet_plan = bounded_plan(scenario, session_start);
    prober::Fleet fleet(fleet_plan, endpoints.target, endpoints.source, tls, [&probes](const prober::ProbeRecord& record) {
        probes.append(boost::json::serialize(prober::to_json(record)));
    });
    result.fleet = fleet.run();
    // Every record is in the file before anything reads it back (analysis, report).
    probes.close();
    const auto stopped = agents.stop(scenario.capture_linger);
    result.facts = {
        .target = fmt::format("{}:{}", plan.target.host, plan.target.port),
        .planned = scenarios::planned_probes(plan),
        .wall_seconds = result.fleet.wall_seconds,
        .interrupted = result.fleet.interrupted,
        .hit_bound = result.fleet.hit_bound,
        .late_starts = result.fleet.late_starts,
    };
    result.judgement = results::judge_outcomes(result.fleet.stats, scenario.thresholds);
    if (result.fleet.hit_bound) {
        result.judgement.lower(results::Health::insufficient_evidence,
                               fmt::format("the run stopped at its bound (max_seconds {:.1f} s) after {} of {} "
                                           "planned probes",
                                           static_cast<double>(scenario.max_run.count()) / 1000.0,
                                           result.fleet.stats.probes(), result.facts.planned));
    }
    for (const auto& problem : stopped) {
        result.vantage_problems.push_back(problem.vantage + ": " + problem.what);
        result.judgement.lower(results::Health::insufficient_evidence,
                               "capture vantage " + problem.vantage + " " + problem.what +
                                   ": the verdicts that need it are unknown");
    }
    const auto summary = [&] {
        write_run_summary(result.dir, {.scenario = scenario,
                                       .scenario_sha256 = scenario_sha256,
                                       .stats = result.fleet.stats,
                                       .facts = result.facts,
                                       .started = started,
                                       .vantage_problems = result.vantage_problems,
                                       .judgement = result.judgement});
    };
    summary();
    if (std::filesystem::exists(vantage_flows_file(result.dir, "client"))) {
        analyze_captures(result, stopped, scenario.thresholds);
        summary();
    }
    return result;
}

}  // namespace tlsprobe::runs
