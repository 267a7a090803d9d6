#pragma once
#include <chrono>
#include <cstdint>

namespace tlsprobe::prober {

// Monotonic nanoseconds since the run started: every phase timestamp of a
// run is on this one clock, so the workers' records compare directly.
class PhaseClock {
public:
    using clock = std::chrono::steady_clock;

    explicit PhaseClock(clock::time_point start = clock::now()) : start_(start) {}

    [[nodiscard]] std::int64_t now_ns() const { return since_start(clock::now()); }
    [[nodiscard]] std::int64_t since_start(clock::time_point when) const
    {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(when - start_).count();
    }
    [[nodiscard]] clock::time_point at(std::int64_t ns) const { return start_ + std::chrono::nanoseconds(ns); }

private:
    clock::time_point start_;
};

}  // namespace tlsprobe::prober
