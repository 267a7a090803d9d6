#include "cli/bucket_flags.hpp"

#include <fmt/format.h>

#include "reports/bucket_text.hpp"
#include "runs/exit_decision.hpp"

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

int print_bucket_report(const results::BucketAnalysis& analysis, bool interrupted)
{
    fmt::print("{}", reports::bucket_report(analysis));
    return static_cast<int>(runs::exit_code(analysis.judgement, interrupted));
}

}  // namespace tlsprobe::cli
