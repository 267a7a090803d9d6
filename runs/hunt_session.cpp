#include "runs/hunt_session.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/errors.hpp"
#include "core/stop_signals.hpp"
#include "prober/client_tls.hpp"
#include "prober/fleet_setup.hpp"
#include "results/hunt_planner.hpp"
#include "runs/bucket_outputs.hpp"
#include "runs/run_directory.hpp"

namespace tlsprobe::runs {

HuntResult hunt_session(const HuntRequest& request)
{
    const auto& scenario = request.scenario;
    auto plan = scenario.plan;
    plan.count = scenario.hunt.budget;
    plan.duration.reset();
    const auto endpoints = prober::resolve_fleet_endpoints(plan);
    if (request.buckets.model != nullptr && plan.source_ip.empty()) {
        throw core::UsageError("model", ": needs `source_ip`, the source address the hash model sees");
    }
    prober::check_source_address(endpoints);
    refuse_existing_run(plan.out_dir);
    prober::raise_open_files_limit(plan.concurrency);
    const prober::ClientTls tls(plan.tls, plan.target.host);
    results::HuntPlanner planner({
        .model = request.buckets.model,
        .base = {.src = endpoints.source, .src_port = 0, .dst = endpoints.target.address(),
                 .dst_port = endpoints.target.port()},
        .port_low = plan.port_range.low,
        .port_high = plan.port_range.high,
        .budget = scenario.hunt.budget,
        .background = request.buckets.background,
        .alpha = request.buckets.alpha,
        .seed = plan.seed,
    });
    // From here on SIGINT and SIGTERM wait for the fleet, which ends the run
    // in order (records, summary, report) however early they came: a stop
    // while the capture agents start must not kill the process with a run
    // directory and no summary.
    const core::StopSignals stop_signals;
    HuntResult result;
    result.dir = make_run_directory(plan.out_dir.string(), "hunt-");
    const auto scenario_sha256 = write_scenario_file(result.dir, scenario);
    spdlog::info("hunting on {}:{} from ports {}-{}, budget {} probes at {}/s, records in {}", plan.target.host,
                 plan.target.port, plan.port_range.low, plan.port_range.high, scenario.hunt.budget, plan.rate,
                 result.dir.string());
    const auto started = std::chrono::system_clock::now();
    const auto clock_start = std::chrono::steady_clock::now();
    result.report = run_hunt(plan, endpoints, tls, planner, result.dir, scenario.hunt.repeat_gap);
    const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - clock_start;
    spdlog::info("hunt done: {} probes in {} rounds", result.report.records.size(), result.report.rounds);
    result.analysis = write_bucket_analysis(result.report.records, request.buckets, result.dir);
    prober::RunStats stats;
    for (const auto& record : result.report.records) {
        stats.add(record);
    }
    const prober::RunFacts facts{
        .target = fmt::format("{}:{}", plan.target.host, plan.target.port),
        .planned = scenario.hunt.budget,
        .wall_seconds = wall.count(),
        .interrupted = result.report.interrupted,
        .hit_bound = false,
        .late_starts = 0,
    };
    write_run_summary(result.dir, {.scenario = scenario,
                                   .scenario_sha256 = scenario_sha256,
                                   .stats = stats,
                                   .facts = facts,
                                   .started = started,
                                   .vantage_problems = {},
                                   .judgement = result.analysis.judgement,
                                   .hunt_rounds = result.report.rounds});
    return result;
}

}  // namespace tlsprobe::runs
