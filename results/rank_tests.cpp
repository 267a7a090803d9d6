#include "results/rank_tests.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "results/exact_tests.hpp"

namespace tlsprobe::results {
namespace {

void require_sorted(std::span<const std::int64_t> sample)
{
    if (!std::ranges::is_sorted(sample)) {
        throw std::invalid_argument("rank tests need samples sorted ascending");
    }
}

// Pairs (i, j) with y_j - x_i <= d. For rising j the bound y_j - d rises,
// so the first x_i at or above it only moves right.
std::uint64_t differences_at_or_below(std::span<const std::int64_t> x, std::span<const std::int64_t> y, std::int64_t d)
{
    std::uint64_t count = 0;
    std::size_t first = 0;
    for (const auto value : y) {
        while (first < x.size() && x[first] < value - d) {
            ++first;
        }
        count += x.size() - first;
    }
    return count;
}

}  // namespace

MannWhitney mann_whitney(std::span<const std::int64_t> x, std::span<const std::int64_t> y)
{
    require_sorted(x);
    require_sorted(y);
    MannWhitney result;
    if (x.empty() || y.empty()) {
        return result;
    }
    const auto n = static_cast<double>(x.size());
    const auto m = static_cast<double>(y.size());
    // Merge both samples; each run of equal values shares its mid-rank.
    double rank_sum_y = 0.0;
    double tie_term = 0.0;   // sum of t^3 - t over the tie groups
    std::size_t i = 0;
    std::size_t j = 0;
    double next_rank = 1.0;
    while (i < x.size() || j < y.size()) {
        const std::int64_t value = j == y.size() || (i < x.size() && x[i] <= y[j]) ? x[i] : y[j];
        std::size_t in_x = 0;
        std::size_t in_y = 0;
        while (i < x.size() && x[i] == value) {
            ++i;
            ++in_x;
        }
        while (j < y.size() && y[j] == value) {
            ++j;
            ++in_y;
        }
        const auto t = static_cast<double>(in_x + in_y);
        const double mid_rank = next_rank + (t - 1.0) / 2.0;
        rank_sum_y += static_cast<double>(in_y) * mid_rank;
        tie_term += t * t * t - t;
        next_rank += t;
    }
    result.u = rank_sum_y - m * (m + 1.0) / 2.0;
    const double total = n + m;
    const double variance = n * m / 12.0 * ((total + 1.0) - tie_term / (total * (total - 1.0)));
    if (!(variance > 0.0)) {
        return result;
    }
    const double centred = result.u - n * m / 2.0;
    const double correction = centred > 0.0 ? 0.5 : centred < 0.0 ? -0.5 : 0.0;
    result.z = (centred - correction) / std::sqrt(variance);
    result.p_value = std::min(1.0, std::erfc(std::fabs(result.z) / std::sqrt(2.0)));
    return result;
}

std::int64_t kth_smallest_difference(std::span<const std::int64_t> x, std::span<const std::int64_t> y, std::uint64_t k)
{
    require_sorted(x);
    require_sorted(y);
    if (k == 0 || x.empty() || y.empty() || k > x.size() * y.size()) {
        throw std::invalid_argument("kth_smallest_difference: k is not in [1, n*m]");
    }
    // The smallest difference is y_0 - x_last, the largest y_last - x_0:
    // find the smallest d with at least k differences at or below it.
    std::int64_t low = y.front() - x.back();
    std::int64_t high = y.back() - x.front();
    while (low < high) {
        const std::int64_t mid = low + (high - low) / 2;
        if (differences_at_or_below(x, y, mid) >= k) {
            high = mid;
        } else {
            low = mid + 1;
        }
    }
    return low;
}

ShiftEstimate hodges_lehmann_shift(std::span<const std::int64_t> x, std::span<const std::int64_t> y, double confidence)
{
    ShiftEstimate shift;
    if (x.empty() || y.empty()) {
        return shift;
    }
    const std::uint64_t pairs = x.size() * y.size();
    const auto middle = kth_smallest_difference(x, y, (pairs + 1) / 2);
    shift.estimate = pairs % 2 == 1
                         ? static_cast<double>(middle)
                         : (static_cast<double>(middle) + static_cast<double>(kth_smallest_difference(x, y, pairs / 2 + 1))) / 2.0;
    const auto n = static_cast<double>(x.size());
    const auto m = static_cast<double>(y.size());
    const double z = normal_quantile(1.0 - (1.0 - confidence) / 2.0);
    const double c = std::floor(n * m / 2.0 - z * std::sqrt(n * m * (n + m + 1.0) / 12.0));
    if (c >= 1.0) {
        const auto rank = static_cast<std::uint64_t>(c);
        shift.low = kth_smallest_difference(x, y, rank);
        shift.high = kth_smallest_difference(x, y, pairs + 1 - rank);
    }
    return shift;
}

}  // namespace tlsprobe::results
