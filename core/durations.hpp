#pragma once
#include <fmt/format.h>

#include <chrono>

#include "core/errors.hpp"

namespace tlsprobe::core {

// Beyond about 31 years a deadline computed from now would overflow a
// nanosecond clock.
inline constexpr double max_seconds = 1e9;

// Flags and scenario files take seconds as decimals (--handshake-timeout
// 0.5); the code keeps whole milliseconds (or the `Duration` asked for),
// rounded to the nearest. Throws UsageError naming the value when it is
// negative, not a number, infinite or above max_seconds.
template <typename Duration = std::chrono::milliseconds>
[[nodiscard]] Duration seconds_flag(double seconds)
{
    if (!(seconds >= 0.0 && seconds <= max_seconds)) {
        throw UsageError(fmt::format("{} is not a duration: want seconds from 0 to {}", seconds, max_seconds));
    }
    return std::chrono::round<Duration>(std::chrono::duration<double>(seconds));
}

}  // namespace tlsprobe::core
