#pragma once
#include <array>
#include <cstdint>
#include <limits>

namespace tlsprobe::prober {

// Log-linear histogram of non-negative nanosecond durations with a fixed
// footprint (HDR style): values below 2^sub_bits ns are exact, larger ones
// land in one of 2^sub_bits sub-buckets per power of two, so a reported
// percentile is within 1/2^sub_bits (0.8 %) of the true value. Min and max
// are exact. One per phase per worker; merged at the end.
class LatencyHistogram {
public:
    static constexpr int sub_bits = 7;

    void record(std::int64_t nanoseconds);
    void merge(const LatencyHistogram& other);

    [[nodiscard]] std::uint64_t count() const { return count_; }
    [[nodiscard]] std::int64_t min() const { return count_ == 0 ? 0 : min_; }
    [[nodiscard]] std::int64_t max() const { return max_; }
    // The exact sum of the recorded values (negative ones recorded as 0).
    [[nodiscard]] std::int64_t sum() const { return sum_; }
    // Samples known to be <= `nanoseconds`: those in sub-buckets that end at
    // or below it (all of them at or past the exact max). A sample within the
    // resolution below the bound may be counted only at the next, larger one.
    [[nodiscard]] std::uint64_t count_at_or_below(std::int64_t nanoseconds) const;
    // The smallest recorded value v such that at least `quantile` of the
    // samples are <= v (to the bucket's precision); 0 when empty.
    [[nodiscard]] std::int64_t percentile(double quantile) const;

private:
    static constexpr int sub_count = 1 << sub_bits;
    static constexpr int bucket_count = (64 - sub_bits + 1) * sub_count;

    [[nodiscard]] static int index_of(std::uint64_t value);
    [[nodiscard]] static std::uint64_t upper_value_of(int index);

    std::array<std::uint64_t, bucket_count> buckets_{};
    std::uint64_t count_ = 0;
    std::int64_t sum_ = 0;
    std::int64_t min_ = std::numeric_limits<std::int64_t>::max();
    std::int64_t max_ = 0;
};

}  // namespace tlsprobe::prober
