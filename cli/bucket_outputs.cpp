#include "cli/bucket_outputs.hpp"

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "core/errors.hpp"
#include "core/atomic_file.hpp"
#include "reports/bucket_text.hpp"

namespace tlsprobe::cli {

void add_bucket_flags(CLI::App& app, BucketFlags& flags)
{
    app.add_option("--model", flags.model,
                   "Hash model of the device, e.g. jhash:seed=0x1234,mod=8 (docs/BUCKETS.md); "
                   "without it the failing ports are fitted over GF(2)");
    app.add_option("--background-loss", flags.background,
                   "Failure rate of a healthy bucket, in [0, 1)")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 0.999999));
}

BucketSettings::BucketSettings(const BucketFlags& flags)
{
    if (!flags.model.empty()) {
        model_ = results::parse_hash_model(flags.model);
    }
    config_.model = model_.get();
    config_.background = flags.background;
}

int write_bucket_outputs(std::span<const prober::ProbeRecord> records, const BucketSettings& settings,
                         const std::filesystem::path& dir)
{
    const auto analysis = results::analyze_buckets(records, settings.config());
    std::filesystem::create_directories(dir);
    core::write_file_atomically(
        dir / "buckets.json", boost::json::serialize(results::bucket_analysis_json(analysis, settings.config())) + "\n");
    fmt::print("{}", reports::bucket_report(analysis));
    return static_cast<int>(analysis.healthy() ? core::ExitCode::healthy : core::ExitCode::unhealthy);
}

}  // namespace tlsprobe::cli
