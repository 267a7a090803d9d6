#include "results/bucket_tests.hpp"

namespace tlsprobe::results {

std::string_view to_string(BucketVerdict verdict) {
    switch (verdict) {
    case BucketVerdict::faulty: return "faulty";
    case BucketVerdict::clean: return "clean";
    case BucketVerdict::unprobed: return "unprobed";
    }
    return "unknown";
}

std::vector<BucketResult> test_buckets(std::span<const BucketCounts> counts, const BucketTestConfig& config) {
    std::vector<BucketResult> results;
    std::vector<double> probed_p;
    for (const BucketCounts& c : counts) {
        BucketResult r{c.bucket, c.probes, c.failures, wilson_interval(c.failures, c.probes, config.confidence)};
        if (c.probes > 0) {
            r.p_value = binomial_upper_tail(c.failures, c.probes, config.background);
            probed_p.push_back(r.p_value);
        }
        results.push_back(r);
    }
    const auto adjusted = holm_adjust(probed_p);
    std::size_t next = 0;
    for (BucketResult& r : results) {
        if (r.probes == 0) {
            continue;
        }
        r.p_adjusted = adjusted[next++];
        r.verdict = r.p_adjusted < config.alpha ? BucketVerdict::faulty : BucketVerdict::clean;
    }
    return results;
}

}  // namespace tlsprobe::results
