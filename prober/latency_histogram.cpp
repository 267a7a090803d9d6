#include "prober/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace tlsprobe::prober {

int LatencyHistogram::index_of(std::uint64_t value)
{
    if (value < sub_count) {
        return static_cast<int>(value);
    }
    // Values in [2^k, 2^(k+1)) with k >= sub_bits keep their top sub_bits+1 bits.
    const int magnitude = 63 - std::countl_zero(value);
    const int shift = magnitude - sub_bits;
    const auto sub = static_cast<int>((value >> shift) - sub_count);
    return (shift + 1) * sub_count + sub;
}

std::uint64_t LatencyHistogram::upper_value_of(int index)
{
    if (index < sub_count) {
        return static_cast<std::uint64_t>(index);
    }
    const int shift = index / sub_count - 1;
    const auto sub = static_cast<std::uint64_t>(index % sub_count + sub_count);
    return ((sub + 1) << shift) - 1;
}

void LatencyHistogram::record(std::int64_t nanoseconds)
{
    const std::int64_t value = std::max<std::int64_t>(nanoseconds, 0);
    ++buckets_[static_cast<std::size_t>(index_of(static_cast<std::uint64_t>(value)))];
    ++count_;
    sum_ += value;
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
}

void LatencyHistogram::merge(const LatencyHistogram& other)
{
    for (std::size_t i = 0; i < buckets_.size(); ++i) {
        buckets_[i] += other.buckets_[i];
    }
    count_ += other.count_;
    sum_ += other.sum_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
}

std::int64_t LatencyHistogram::percentile(double quantile) const
{
    if (count_ == 0) {
        return 0;
    }
    const auto rank = std::max<std::uint64_t>(
        1, static_cast<std::uint64_t>(std::ceil(quantile * static_cast<double>(count_))));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < buckets_.size(); ++i) {
        seen += buckets_[i];
        if (seen >= rank) {
            const auto upper = static_cast<std::int64_t>(upper_value_of(static_cast<int>(i)));
            return std::clamp(upper, min_, max_);
        }
    }
    return max_;
}

std::uint64_t LatencyHistogram::count_at_or_below(std::int64_t nanoseconds) const
{
    if (count_ == 0 || nanoseconds < min_) {
        return 0;
    }
    if (nanoseconds >= max_) {
        return count_;
    }
    std::uint64_t below = 0;
    for (std::size_t i = 0; i < buckets_.size(); ++i) {
        if (upper_value_of(static_cast<int>(i)) > static_cast<std::uint64_t>(nanoseconds)) {
            break;
        }
        below += buckets_[i];
    }
    return below;
}

}  // namespace tlsprobe::prober
