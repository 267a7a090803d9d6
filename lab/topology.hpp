#pragma once
// The lab's namespaces, links, addresses and routes as data: plan_topology
// turns a configuration into the exact `ip`/`sysctl` argument vectors and
// nft rulesets that `lab up` runs, so the plan can be read and tested
// without root.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lab/config.hpp"

namespace tlsprobe::lab {

// Every namespace of the lab starts with this; `down` removes exactly those.
inline constexpr std::string_view namespace_prefix = "tlsp-";
// nft tables, one per namespace that filters.
inline constexpr std::string_view switch_table = "tlsp_switch";
inline constexpr std::string_view lb_table = "tlsp_lb";
inline constexpr std::string_view proxy_table = "tlsp_proxy";

inline constexpr std::string_view server_ip = "198.18.100.10";
inline constexpr std::uint16_t server_port = 443;
inline constexpr std::string_view client_ip = "198.18.1.2";
// The relay listens on the proxy's client-facing address; client flows to
// the server are redirected there.
inline constexpr std::string_view relay_ip = "198.18.3.2";
inline constexpr std::uint16_t relay_port = 4443;
// The proxy's switch-facing address: source of the relay's own connections.
inline constexpr std::string_view relay_source_ip = "198.18.4.2";
// Relay sockets send with this TTL: the client sees 255 - 2 routed hops = 253.
inline constexpr int relay_ttl = 255;

[[nodiscard]] std::string namespace_name(std::string_view role);
[[nodiscard]] std::string lb_namespace(std::uint32_t node);

struct NftRuleset {
    std::string netns;
    std::string text;
};

struct TopologyPlan {
    // Created first, in this order; deleting them removes everything else.
    std::vector<std::string> namespaces;
    // `ip` and `sysctl` commands, run in order once the namespaces exist.
    std::vector<std::vector<std::string>> commands;
    // Loaded with `nft -f -` inside their namespace after the commands.
    std::vector<NftRuleset> rulesets;
};

[[nodiscard]] TopologyPlan plan_topology(const LabConfig& config);

}  // namespace tlsprobe::lab
