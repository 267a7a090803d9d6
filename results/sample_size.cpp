#include "results/sample_size.hpp"

#include <cmath>

#include "results/exact_tests.hpp"

namespace tlsprobe::results {

std::uint64_t two_proportion_sample_size(double rate_1, double rate_2, double alpha, double power)
{
    const auto in_unit = [](double value) { return value > 0.0 && value < 1.0; };
    if (rate_1 == rate_2 || !(rate_1 >= 0.0 && rate_1 <= 1.0) || !(rate_2 >= 0.0 && rate_2 <= 1.0) ||
        !in_unit(alpha) || !in_unit(power)) {
        return 0;
    }
    const double z_alpha = normal_quantile(1.0 - alpha / 2.0);
    const double z_power = normal_quantile(power);
    const double mean = (rate_1 + rate_2) / 2.0;
    const double pooled = std::sqrt(2.0 * mean * (1.0 - mean));
    const double separate = std::sqrt(rate_1 * (1.0 - rate_1) + rate_2 * (1.0 - rate_2));
    const double difference = rate_1 - rate_2;
    const double n = std::pow(z_alpha * pooled + z_power * separate, 2.0) / (difference * difference);
    return static_cast<std::uint64_t>(std::ceil(n - 1e-9));
}

}  // namespace tlsprobe::results
