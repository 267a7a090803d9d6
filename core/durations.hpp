#pragma once
#include <chrono>
#include <cstdint>

namespace tlsprobe::core {

// Flags take seconds as decimals (--handshake-timeout 0.5); the code keeps milliseconds.
[[nodiscard]] inline std::chrono::milliseconds seconds_flag(double seconds)
{
    return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000.0));
}

}  // namespace tlsprobe::core
