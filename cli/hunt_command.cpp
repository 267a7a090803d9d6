#include <spdlog/spdlog.h>

#include <memory>

#include "cli/bucket_flags.hpp"
#include "cli/command.hpp"
#include "cli/error_message.hpp"
#include "cli/number_checks.hpp"
#include "cli/probe_flags.hpp"
#include "core/durations.hpp"
#include "runs/hunt_session.hpp"

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
    const auto result = runs::hunt_session({.plan = options.probe.plan,
                                            .buckets = settings.config(),
                                            .budget = options.budget,
                                            .repeat_gap = core::seconds_flag(options.repeat_gap_s),
                                            .out_dir = options.out_dir});
    return print_bucket_report(result.analysis, result.report.interrupted);
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
