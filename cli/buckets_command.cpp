#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <memory>

#include "cli/bucket_flags.hpp"
#include "cli/command.hpp"
#include "runs/bucket_outputs.hpp"
#include "runs/run_directory.hpp"

namespace tlsprobe::cli {
namespace {

struct BucketsOptions {
    std::string run_dir;
    BucketFlags flags;
    std::string out_dir;
};

int buckets(const BucketsOptions& options)
{
    const BucketSettings settings(options.flags);
    const auto records = runs::read_hashed_probes(options.run_dir);
    const auto analysis = runs::write_bucket_analysis(
        records, settings.config(), options.out_dir.empty() ? options.run_dir : options.out_dir);
    return print_bucket_report(analysis, false);
}

}  // namespace

Command add_buckets_command(CLI::App& parent)
{
    auto options = std::make_shared<BucketsOptions>();
    auto* app = parent.add_subcommand(
        "buckets", "From a run's probes: per-flow fault or random loss, and which hash buckets lose packets");
    app->add_option("RUN_DIR", options->run_dir, "Run directory holding probes.jsonl")->required();
    add_bucket_flags(*app, options->flags);
    app->add_option("--out", options->out_dir, "Where to write buckets.json (default: RUN_DIR)");
    return {app, [options] { return buckets(*options); }};
}

}  // namespace tlsprobe::cli
