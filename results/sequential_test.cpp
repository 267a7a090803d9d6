#include "results/sequential_test.hpp"

#include "core/errors.hpp"

#include <algorithm>
#include <cmath>

namespace tlsprobe::results {

std::string_view to_string(SequentialDecision decision) {
    switch (decision) {
    case SequentialDecision::undecided: return "undecided";
    case SequentialDecision::faulty: return "faulty";
    case SequentialDecision::clean: return "clean";
    }
    return "unknown";
}

SequentialBucketTest::SequentialBucketTest(const SequentialConfig& config) {
    if (!(config.background > 0.0 && config.background < config.faulty_rate && config.faulty_rate < 1.0)) {
        throw core::UsageError("sequential test: need 0 < background < faulty rate < 1");
    }
    if (!(config.alpha > 0.0 && config.alpha < 1.0 && config.beta > 0.0 && config.beta < 1.0) ||
        config.buckets == 0) {
        throw core::UsageError("sequential test: alpha and beta must be in (0, 1), buckets at least 1");
    }
    const double alpha_per_bucket = config.alpha / config.buckets;
    log_fail_ratio_ = std::log(config.faulty_rate / config.background);
    log_pass_ratio_ = std::log1p(-config.faulty_rate) - std::log1p(-config.background);
    upper_ = std::log((1.0 - config.beta) / alpha_per_bucket);
    lower_ = std::log(config.beta / (1.0 - alpha_per_bucket));
}

double SequentialBucketTest::log_likelihood_ratio(std::uint64_t probes, std::uint64_t failures) const {
    const std::uint64_t passes = probes >= failures ? probes - failures : 0;
    return static_cast<double>(failures) * log_fail_ratio_ + static_cast<double>(passes) * log_pass_ratio_;
}

SequentialDecision SequentialBucketTest::decide(std::uint64_t probes, std::uint64_t failures) const {
    const double llr = log_likelihood_ratio(probes, failures);
    if (llr >= upper_) {
        return SequentialDecision::faulty;
    }
    if (llr <= lower_) {
        return SequentialDecision::clean;
    }
    return SequentialDecision::undecided;
}

std::uint64_t SequentialBucketTest::probes_to_decide(std::uint64_t probes, std::uint64_t failures) const {
    if (decide(probes, failures) != SequentialDecision::undecided) {
        return 0;
    }
    const double llr = log_likelihood_ratio(probes, failures);
    // Each pass moves the ratio down by -log_pass_ratio_, each failure up by
    // log_fail_ratio_; both steps are positive because background < faulty rate.
    const double passes = std::ceil((llr - lower_) / -log_pass_ratio_);
    const double fails = std::ceil((upper_ - llr) / log_fail_ratio_);
    return static_cast<std::uint64_t>(std::max(1.0, std::min(passes, fails)));
}

std::optional<std::size_t> next_bucket_to_probe(std::span<const BucketCounts> counts,
                                                const SequentialBucketTest& rule) {
    std::optional<std::size_t> next;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        if (rule.decide(counts[i].probes, counts[i].failures) != SequentialDecision::undecided) {
            continue;
        }
        if (!next || counts[i].probes < counts[*next].probes) {
            next = i;
        }
    }
    return next;
}

}  // namespace tlsprobe::results
