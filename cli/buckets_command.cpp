#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <memory>

#include "cli/bucket_outputs.hpp"
#include "cli/command.hpp"
#include "results/hashed_tuples.hpp"
#include "results/analysis.hpp"
#include "core/errors.hpp"

namespace tlsprobe::cli {
namespace {

struct BucketsOptions {
    std::string run_dir;
    BucketFlags flags;
    std::string out_dir;
};

int buckets(const BucketsOptions& options)
{
    const std::filesystem::path run_dir = options.run_dir;
    const auto probes_file = run_dir / "probes.jsonl";
    if (!std::filesystem::is_regular_file(probes_file)) {
        throw core::InputError("RUN_DIR: " + options.run_dir + " is a run directory without probes (no " +
                                  probes_file.string() + ")");
    }
    const BucketSettings settings(options.flags);
    auto records = results::read_probes_file(probes_file);
    if (records.empty()) {
        throw core::InputError("RUN_DIR: " + probes_file.string() + " holds no probes");
    }
    if (const auto verdicts = run_dir / "verdicts.jsonl"; std::filesystem::exists(verdicts)) {
        if (const auto moved = results::use_server_side_tuples(records, verdicts)) {
            spdlog::info("{} of {} probes reached the server under another tuple (NAT or TCP-terminating proxy); "
                         "their buckets use that tuple, the one the hashing device saw",
                         moved, records.size());
        }
    }
    return write_bucket_outputs(records, settings, options.out_dir.empty() ? run_dir : std::filesystem::path(options.out_dir));
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
