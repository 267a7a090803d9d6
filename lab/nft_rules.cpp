#include "lab/nft_rules.hpp"

#include <cmath>
#include <fmt/format.h>
#include <iterator>

#include "lab/topology.hpp"

namespace tlsprobe::lab {

namespace {

constexpr const char* flow_key = "ip saddr . tcp sport . ip daddr . tcp dport";
constexpr const char* flow_type = "ipv4_addr . inet_service . ipv4_addr . inet_service";
// numgen draws in 0..scale-1; probabilities become thresholds on it.
constexpr std::uint32_t numgen_scale = 1000000;

// A match that is true with `probability`; empty (always true) for 1.
std::string random_below(double probability)
{
    const auto threshold = std::lround(probability * numgen_scale);
    if (threshold >= numgen_scale) {
        return {};
    }
    return fmt::format("numgen random mod {} < {} ", numgen_scale, threshold);
}

std::string node_mark(std::uint32_t node)
{
    return fmt::format("{:#x}", node + 1);
}

}  // namespace

std::string bucket_counter(std::uint32_t bucket)
{
    return fmt::format("bucket_{}", bucket);
}

std::string bucket_flow_set(std::uint32_t bucket)
{
    return fmt::format("flows_{}", bucket);
}

std::string switch_ruleset(const LabConfig& config)
{
    std::string out;
    auto it = std::back_inserter(out);
    fmt::format_to(it, "table ip {} {{\n", switch_table);
    for (const auto* name : {lost_counter, reset_counter, unmapped_counter}) {
        fmt::format_to(it, "  counter {} {{}}\n", name);
    }
    for (std::uint32_t bucket = 0; bucket < config.buckets; ++bucket) {
        // The switch's own record of which bucket each flow's SYN fell in:
        // `status` checks the computed ground truth against it.
        fmt::format_to(it, "  counter {} {{}}\n", bucket_counter(bucket));
        fmt::format_to(it, "  set {} {{ type {}; flags dynamic,timeout; timeout 1h; size 65536; }}\n",
                       bucket_flow_set(bucket), flow_type);
    }

    fmt::format_to(it, "  chain steer {{\n");
    if (config.loss_pct > 0.0) {
        fmt::format_to(it, "    {}counter name \"{}\" drop\n", random_below(config.loss_pct / 100.0), lost_counter);
    }
    if (config.uses_hash_map()) {
        fmt::format_to(it, "    tcp sport vmap {{");
    } else {
        fmt::format_to(it, "    jhash {} mod {} seed {:#x} vmap {{", flow_key, config.buckets, config.seed);
    }
    bool first = true;
    const auto add_entry = [&](std::uint32_t key, std::uint32_t bucket) {
        fmt::format_to(it, "{} {} : goto bucket_{}", first ? "" : ",", key, bucket);
        first = false;
    };
    if (config.uses_hash_map()) {
        for (const auto& [port, bucket] : config.hash_map) {
            add_entry(port, bucket);
        }
    } else {
        for (std::uint32_t bucket = 0; bucket < config.buckets; ++bucket) {
            add_entry(bucket, bucket);
        }
    }
    fmt::format_to(it, " }}\n");
    fmt::format_to(it, "    counter name \"{}\" drop\n  }}\n", unmapped_counter);

    for (std::uint32_t bucket = 0; bucket < config.buckets; ++bucket) {
        const auto primary = node_mark(config.primary_node(bucket));
        fmt::format_to(it, "  chain bucket_{} {{\n", bucket);
        fmt::format_to(it, "    counter name \"{}\"\n", bucket_counter(bucket));
        fmt::format_to(it, "    tcp flags syn / syn,ack update @{} {{ {} }} meta mark set {} accept\n",
                       bucket_flow_set(bucket), flow_key, primary);
        if (config.is_reset(bucket)) {
            // A TLS record starting the segment with content type 23.
            fmt::format_to(it, "    @ih,0,8 0x17 meta mark set {:#x} accept\n", reset_mark | (config.primary_node(bucket) + 1));
        }
        if (config.is_faulty(bucket)) {
            fmt::format_to(it, "    {}meta mark set {} accept\n", random_below(config.split_prob),
                           node_mark(config.split_node(bucket)));
        }
        fmt::format_to(it, "    meta mark set {} accept\n  }}\n", primary);
    }

    fmt::format_to(it,
                   "  chain classify {{\n"
                   "    type filter hook prerouting priority mangle; policy accept;\n"
                   "    iifname \"down0\" ip daddr {} tcp dport {} jump steer\n"
                   "  }}\n",
                   server_ip, server_port);
    fmt::format_to(it,
                   "  chain inject_reset {{\n"
                   "    type filter hook forward priority filter; policy accept;\n"
                   "    meta mark & {:#x} == {:#x} counter name \"{}\" reject with tcp reset\n"
                   "  }}\n}}\n",
                   reset_mark, reset_mark, reset_counter);
    return out;
}

std::string lb_ruleset(const LabConfig& config)
{
    std::string out;
    auto it = std::back_inserter(out);
    fmt::format_to(it, "table ip {} {{\n", lb_table);
    for (const auto* name : {lb_syn_counter, lb_forwarded_counter, lb_dropped_counter}) {
        fmt::format_to(it, "  counter {} {{}}\n", name);
    }
    // IPVS keeps a connection entry from the SYN on; conntrack cannot,
    // because the node never sees the server's replies.
    fmt::format_to(it, "  set flows {{ type {}; flags dynamic,timeout; timeout 10m; size 65536; }}\n", flow_type);
    fmt::format_to(it,
                   "  chain forward {{\n"
                   "    type filter hook forward priority filter; policy accept;\n"
                   "    meta l4proto != tcp accept\n"
                   "    tcp flags syn / syn,ack update @flows {{ {} }} counter name \"{}\"\n",
                   flow_key, lb_syn_counter);
    if (config.lb_sloppy) {
        fmt::format_to(it, "    counter name \"{}\" accept\n", lb_forwarded_counter);
    } else {
        fmt::format_to(it, "    {} @flows counter name \"{}\" accept\n", flow_key, lb_forwarded_counter);
        fmt::format_to(it, "    counter name \"{}\" drop\n", lb_dropped_counter);
    }
    fmt::format_to(it, "  }}\n}}\n");
    return out;
}

std::string proxy_ruleset()
{
    // Transparent interception: the client still connects to the server's
    // address; its packets are redirected to the relay, whose answers leave
    // with the server's address as source (NAT reversal by conntrack, which
    // works here because the proxy sees both directions of the client side).
    return fmt::format(
        "table ip {} {{\n"
        "  chain intercept {{\n"
        "    type nat hook prerouting priority dstnat; policy accept;\n"
        "    iifname \"down0\" ip daddr {} tcp dport {} dnat to {}:{}\n"
        "  }}\n}}\n",
        proxy_table, server_ip, server_port, relay_ip, relay_port);
}

}  // namespace tlsprobe::lab
