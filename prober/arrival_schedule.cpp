#include "prober/arrival_schedule.hpp"

namespace tlsprobe::prober {

ArrivalSchedule::ArrivalSchedule(scenarios::Arrival arrival, double rate, std::uint64_t seed, unsigned worker,
                                 unsigned workers)
    : arrival_(arrival), rate_(rate), worker_(worker), workers_(workers), random_(seed * 0x9e3779b97f4a7c15ULL + worker)
{
}

ArrivalSchedule::Slot ArrivalSchedule::next()
{
    const std::uint64_t index = taken_ * workers_ + worker_;
    ++taken_;
    if (rate_ == 0) {
        return {index, 0};
    }
    if (arrival_ == scenarios::Arrival::constant) {
        return {index, static_cast<std::int64_t>(static_cast<double>(index) * 1e9 / rate_)};
    }
    std::exponential_distribution<double> gap(rate_ / static_cast<double>(workers_));
    poisson_clock_ns_ += gap(random_) * 1e9;
    return {index, static_cast<std::int64_t>(poisson_clock_ns_)};
}

}  // namespace tlsprobe::prober
