#include "prober/port_plan.hpp"

#include <algorithm>
#include <random>

namespace tlsprobe::prober {

PortPlan::PortPlan(const scenarios::RunPlan& plan) : ports_(plan.ports)
{
    if (ports_.empty()) {
        for (unsigned port = plan.port_range.low; port <= plan.port_range.high; ++port) {
            ports_.push_back(static_cast<std::uint16_t>(port));
        }
    }
    if (plan.port_order == scenarios::PortOrder::random) {
        std::mt19937_64 random(plan.seed);
        std::shuffle(ports_.begin(), ports_.end(), random);
    }
}

PortPlan::Assignment PortPlan::at(std::uint64_t probe_index) const
{
    return {
        .port = ports_[probe_index % ports_.size()],
        .attempt = static_cast<std::uint32_t>(probe_index / ports_.size() + 1),
    };
}

}  // namespace tlsprobe::prober
