#include "prober/port_plan.hpp"

#include <algorithm>
#include <random>
#include <unordered_map>

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
    std::unordered_map<std::uint16_t, std::uint32_t> seen;
    earlier_.reserve(ports_.size());
    for (const auto port : ports_) {
        earlier_.push_back(seen[port]++);
    }
    per_pass_.reserve(ports_.size());
    for (const auto port : ports_) {
        per_pass_.push_back(seen[port]);
    }
}

PortPlan::Assignment PortPlan::at(std::uint64_t probe_index) const
{
    const std::size_t position = probe_index % ports_.size();
    const std::uint64_t pass = probe_index / ports_.size();
    return {
        .port = ports_[position],
        .attempt = static_cast<std::uint32_t>(pass * per_pass_[position] + earlier_[position] + 1),
    };
}

}  // namespace tlsprobe::prober
