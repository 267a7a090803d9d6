#include <boost/json/serialize.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <memory>

#include "cli/bucket_outputs.hpp"
#include "cli/command.hpp"
#include "cli/error_message.hpp"
#include "cli/number_checks.hpp"
#include "cli/probe_flags.hpp"
#include "core/durations.hpp"
#include "prober/client_tls.hpp"
#include "prober/fleet_setup.hpp"
#include "runs/hunt_rounds.hpp"
#include "core/errors.hpp"
#include "runs/run_directory.hpp"

namespace tlsprobe::cli {
namespace {

struct HuntOptions {
    ProbeFlags probe;
    BucketFlags buckets;
    std::uint64_t budget = 1000;
    double repeat_gap_s = 2;
    std::string out_dir;
};

int hunt(HuntOptions& options)
{
    fill_plan(options.probe);
    auto& plan = options.probe.plan;
    plan.count = options.budget;
    for (const auto& note : scenarios::validate(plan)) {
        spdlog::warn("{}", flags_in(note));
    }
    const BucketSettings settings(options.buckets);
    const auto endpoints = prober::resolve_fleet_endpoints(plan);
    if (settings.model() != nullptr && plan.source_ip.empty()) {
        throw core::UsageError("--model: needs --source-ip, the source address the hash model sees");
    }
    prober::raise_open_files_limit(plan.concurrency);
    const prober::ClientTls tls(plan.tls, plan.target.host);
    if (!options.out_dir.empty() && std::filesystem::exists(std::filesystem::path(options.out_dir) / "probes.jsonl")) {
        throw core::UsageError("--out: " + options.out_dir + " already holds a run (probes.jsonl); choose another");
    }

    results::HuntPlanner planner({
        .model = settings.model(),
        .base = {.src = endpoints.source, .src_port = 0, .dst = endpoints.target.address(),
                 .dst_port = endpoints.target.port()},
        .port_low = plan.port_range.low,
        .port_high = plan.port_range.high,
        .budget = options.budget,
        .background = settings.config().background,
        .alpha = settings.config().alpha,
        .seed = plan.seed,
    });
    const auto dir = runs::make_run_directory(options.out_dir, "hunt-");
    spdlog::info("hunting on {}:{} from ports {}-{}, budget {} probes at {}/s, records in {}", plan.target.host,
                 plan.target.port, plan.port_range.low, plan.port_range.high, options.budget, plan.rate,
                 dir.string());
    const auto report = runs::run_hunt(plan, endpoints, tls, planner, dir, core::seconds_flag(options.repeat_gap_s));
    spdlog::info("hunt done: {} probes in {} rounds", report.records.size(), report.rounds);
    if (report.records.empty()) {
        throw core::EnvironmentError("hunt: no probe finished; nothing to analyse");
    }
    const int status = write_bucket_outputs(report.records, settings, dir);
    return report.interrupted ? static_cast<int>(core::ExitCode::interrupted) : status;
}

}  // namespace

Command add_hunt_command(CLI::App& parent)
{
    auto options = std::make_shared<HuntOptions>();
    auto* app = parent.add_subcommand(
        "hunt", "Probe adaptively until per-flow fault or random loss, and the faulty buckets, are settled");
    add_probe_flags(*app, options->probe);
    add_bucket_flags(*app, options->buckets);
    app->add_option("--budget", options->budget, "Most probes to run, re-probes included")
        ->capture_default_str()
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1'000'000}));
    app->add_option("--repeat-gap", options->repeat_gap_s,
                    "Seconds between rounds, so a re-probe meets no state left by the previous attempt")
        ->capture_default_str()
        ->check(at_least_zero);
    app->add_option("--out", options->out_dir, "Run directory (default: runs/hunt-<UTC time>)");
    return {app, [options] { return hunt(*options); }};
}

}  // namespace tlsprobe::cli
