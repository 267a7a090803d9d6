#pragma once
// CLI11 checks for seconds and rates that say the rule the user broke.
// CLI::PositiveNumber prints its bounds instead ("Value 0 not in range
// 2.22507e-308 to 1.79769e+308").
#include <CLI/CLI.hpp>

#include <cmath>
#include <string>

namespace tlsprobe::cli {

[[nodiscard]] inline CLI::Validator lower_bound_zero(bool zero_allowed)
{
    const std::string rule = zero_allowed ? "at least 0" : "greater than 0";
    return CLI::Validator(
        [zero_allowed, rule](std::string& text) -> std::string {
            double value = 0;
            if (!CLI::detail::lexical_cast(text, value) || !std::isfinite(value)) {
                return "\"" + text + "\" is not a number";
            }
            const bool fits = zero_allowed ? value >= 0 : value > 0;
            return fits ? std::string() : "must be " + rule + ", not " + text;
        },
        zero_allowed ? "NONNEGATIVE" : "POSITIVE");
}

// Counts: "-1" would otherwise wrap to 2^64 - 1 in an unsigned option.
// `why` explains the upper bound in the message.
[[nodiscard]] inline CLI::Validator whole_number_from_to(long long low, long long high, std::string why = {})
{
    const std::string rule =
        "must be a whole number from " + std::to_string(low) + " to " + std::to_string(high) + why;
    return CLI::Validator(
        [low, high, rule](std::string& text) -> std::string {
            long long value = 0;
            if (!CLI::detail::lexical_cast(text, value) || value < low || value > high) {
                return rule + ", not " + text;
            }
            return {};
        },
        "INT in [" + std::to_string(low) + " - " + std::to_string(high) + "]");
}

// Seconds that must pass (--duration, timeouts).
inline const CLI::Validator greater_than_zero = lower_bound_zero(false);
// Seconds and rates where 0 means "none" or "unpaced" (--rate, --hold, --linger).
inline const CLI::Validator at_least_zero = lower_bound_zero(true);

}  // namespace tlsprobe::cli
