#pragma once
// The nftables rulesets of the switch, the load-balancer nodes and the
// proxy, rendered as text for `nft -f -`.
#include <cstdint>
#include <string>

#include "lab/config.hpp"

namespace tlsprobe::lab {

// The switch marks each client-to-server packet with (node + 1) in these
// bits; an `ip rule` per node routes marked packets to that node.
inline constexpr std::uint32_t node_mark_mask = 0xff;
// Set on application-data packets of reset buckets; the switch's forward
// chain rejects marked packets with a TCP reset.
inline constexpr std::uint32_t reset_mark = 0x100;

// Named objects of the switch table that `status` reads.
[[nodiscard]] std::string bucket_counter(std::uint32_t bucket);
[[nodiscard]] std::string bucket_flow_set(std::uint32_t bucket);
inline constexpr const char* lost_counter = "lost";
inline constexpr const char* reset_counter = "injected_resets";
inline constexpr const char* unmapped_counter = "unmapped";
// Named counters of a load-balancer node table.
inline constexpr const char* lb_syn_counter = "syn";
inline constexpr const char* lb_forwarded_counter = "forwarded";
inline constexpr const char* lb_dropped_counter = "dropped";

[[nodiscard]] std::string switch_ruleset(const LabConfig& config);
[[nodiscard]] std::string lb_ruleset(const LabConfig& config);
[[nodiscard]] std::string proxy_ruleset();

}  // namespace tlsprobe::lab
