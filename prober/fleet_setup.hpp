#pragma once
// What every command that runs the fleet does before the first probe:
// resolve the target, pick the source address, make room for the sockets.
#include <boost/asio/ip/tcp.hpp>

#include <cstdint>

#include "scenarios/run_plan.hpp"

namespace tlsprobe::prober {

struct FleetEndpoints {
    boost::asio::ip::tcp::endpoint target;
    boost::asio::ip::address source;  // the wildcard address of the target's family without --source-ip
};

// Throws core::UsageError naming --target or --source-ip when the target does not
// resolve or the source is not an address of the target's family.
[[nodiscard]] FleetEndpoints resolve_fleet_endpoints(const scenarios::RunPlan& plan);

// Binds a socket to the source address (any port), so a source that is not
// an address of this host is a usage error before the run, not a run of
// local_error records. core::UsageError naming --source-ip.
void check_source_address(const FleetEndpoints& endpoints);

// Raises the soft open-files limit to the hard one; core::EnvironmentError when
// `concurrency` sockets would not fit.
void raise_open_files_limit(std::uint32_t concurrency);

}  // namespace tlsprobe::prober
