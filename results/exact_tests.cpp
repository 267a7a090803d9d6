#include "results/exact_tests.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace tlsprobe::results {

namespace {

double log_choose(std::uint64_t n, std::uint64_t k) {
    const auto dn = static_cast<double>(n);
    const auto dk = static_cast<double>(k);
    return std::lgamma(dn + 1.0) - std::lgamma(dk + 1.0) - std::lgamma(dn - dk + 1.0);
}

// log(sum(exp(terms))) without overflow or underflow of the largest term.
double log_sum_exp(const std::vector<double>& terms) {
    if (terms.empty()) {
        return -std::numeric_limits<double>::infinity();
    }
    const double top = *std::ranges::max_element(terms);
    if (std::isinf(top)) {
        return top;
    }
    double sum = 0.0;
    for (const double t : terms) {
        sum += std::exp(t - top);
    }
    return top + std::log(sum);
}

double probability_from_log(double log_p) {
    return std::clamp(std::exp(log_p), 0.0, 1.0);
}

// The hypergeometric law of the top-left cell of a 2x2 table whose margins
// are fixed: `row` items drawn from `total`, of which `column` are marked.
struct Hypergeometric {
    std::uint64_t total = 0;
    std::uint64_t row = 0;
    std::uint64_t column = 0;

    [[nodiscard]] std::uint64_t lowest() const { return row + column > total ? row + column - total : 0; }
    [[nodiscard]] std::uint64_t highest() const { return std::min(row, column); }
    // log P(X = k), k in [lowest(), highest()].
    [[nodiscard]] double log_probability(std::uint64_t k) const
    {
        return log_choose(column, k) + log_choose(total - column, row - k) - log_choose(total, row);
    }
};

}  // namespace

double fisher_exact_greater(const RepeatTable& t) {
    const Hypergeometric law{.total = t.failed_failed + t.failed_passed + t.passed_failed + t.passed_passed,
                             .row = t.failed_failed + t.failed_passed,
                             .column = t.failed_failed + t.passed_failed};
    if (law.total == 0) {
        return 1.0;
    }
    std::vector<double> terms;
    for (std::uint64_t k = t.failed_failed; k <= law.highest(); ++k) {
        terms.push_back(law.log_probability(k));
    }
    return probability_from_log(log_sum_exp(terms));
}

double fisher_exact_two_sided(const TwoProportions& t) {
    if (t.events_1 > t.trials_1 || t.events_2 > t.trials_2) {
        return 1.0;
    }
    const Hypergeometric law{.total = t.trials_1 + t.trials_2, .row = t.trials_1, .column = t.events_1 + t.events_2};
    if (t.trials_1 == 0 || t.trials_2 == 0) {
        return 1.0;
    }
    // R's fisher.test rule: tables within a relative 1e-7 of the observed
    // one's probability count as equally likely, so rounding in the sums of
    // log-gamma terms cannot drop a tie.
    const double observed = law.log_probability(t.events_1) + std::log1p(1e-7);
    std::vector<double> terms;
    for (std::uint64_t k = law.lowest(); k <= law.highest(); ++k) {
        if (const double term = law.log_probability(k); term <= observed) {
            terms.push_back(term);
        }
    }
    return probability_from_log(log_sum_exp(terms));
}

double zero_events_upper_bound(std::uint64_t trials, double confidence) {
    if (trials == 0) {
        return 1.0;
    }
    return -std::expm1(std::log1p(-confidence) / static_cast<double>(trials));
}

double binomial_upper_tail(std::uint64_t successes, std::uint64_t trials, double rate) {
    if (successes == 0) {
        return 1.0;
    }
    if (successes > trials || rate <= 0.0) {
        return 0.0;
    }
    if (rate >= 1.0) {
        return 1.0;
    }
    const double log_rate = std::log(rate);
    const double log_miss = std::log1p(-rate);
    std::vector<double> terms;
    terms.reserve(trials - successes + 1);
    for (std::uint64_t i = successes; i <= trials; ++i) {
        terms.push_back(log_choose(trials, i) + static_cast<double>(i) * log_rate +
                        static_cast<double>(trials - i) * log_miss);
    }
    return probability_from_log(log_sum_exp(terms));
}

std::vector<double> holm_adjust(std::span<const double> p_values) {
    const std::size_t m = p_values.size();
    std::vector<std::size_t> order(m);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::ranges::stable_sort(order, [&](std::size_t x, std::size_t y) { return p_values[x] < p_values[y]; });
    std::vector<double> adjusted(m);
    double running = 0.0;
    for (std::size_t rank = 0; rank < m; ++rank) {
        const double scaled = std::min(1.0, static_cast<double>(m - rank) * p_values[order[rank]]);
        running = std::max(running, scaled);
        adjusted[order[rank]] = running;
    }
    return adjusted;
}

double normal_quantile(double probability) {
    // Bisection on the exact CDF 0.5 * erfc(-z / sqrt 2): slow but exact to
    // the last bit, and called a handful of times per report.
    double low = -40.0;
    double high = 40.0;
    for (int i = 0; i < 200; ++i) {
        const double mid = 0.5 * (low + high);
        if (0.5 * std::erfc(-mid / std::sqrt(2.0)) < probability) {
            low = mid;
        } else {
            high = mid;
        }
    }
    return 0.5 * (low + high);
}

Interval wilson_interval(std::uint64_t successes, std::uint64_t trials, double confidence) {
    if (trials == 0) {
        return {0.0, 1.0};
    }
    const double z = normal_quantile(1.0 - (1.0 - confidence) / 2.0);
    const auto n = static_cast<double>(trials);
    const double share = static_cast<double>(successes) / n;
    const double z2 = z * z;
    const double denominator = 1.0 + z2 / n;
    const double centre = (share + z2 / (2.0 * n)) / denominator;
    const double half = z / denominator * std::sqrt(share * (1.0 - share) / n + z2 / (4.0 * n * n));
    return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

}  // namespace tlsprobe::results
