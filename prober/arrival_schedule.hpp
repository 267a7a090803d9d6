#pragma once
#include <cstdint>
#include <random>

#include "scenarios/run_plan.hpp"

namespace tlsprobe::prober {

// Open-loop arrival times for one worker's share of the probes, in
// nanoseconds from the run start. Worker k of W starts the probes k, k+W,
// k+2W, ...; at a constant rate R the probe with global index i is due at
// i/R, and with Poisson arrivals each worker draws exponential gaps with mean
// W/R (the superposition of W Poisson streams of rate R/W is a Poisson
// stream of rate R). Due times never depend on how long earlier probes took,
// so a slow path cannot slow the arrivals (no coordinated omission).
class ArrivalSchedule {
public:
    ArrivalSchedule(scenarios::Arrival arrival, double rate, std::uint64_t seed, unsigned worker, unsigned workers);

    struct Slot {
        std::uint64_t probe_index = 0;   // global, run-unique
        std::int64_t due_ns = 0;
    };
    [[nodiscard]] Slot next();

private:
    scenarios::Arrival arrival_;
    double rate_;
    unsigned worker_;
    unsigned workers_;
    std::uint64_t taken_ = 0;
    double poisson_clock_ns_ = 0;
    std::mt19937_64 random_;
};

}  // namespace tlsprobe::prober
