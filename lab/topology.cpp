#include "lab/topology.hpp"

#include <fmt/format.h>

#include "lab/nft_rules.hpp"

namespace tlsprobe::lab {

namespace {

// One point-to-point veth pair with a /24 on each end.
struct Link {
    std::string ns_a;
    std::string if_a;
    std::string addr_a;
    std::string ns_b;
    std::string if_b;
    std::string addr_b;
};

class PlanBuilder {
public:
    explicit PlanBuilder(TopologyPlan& plan) : plan_(plan) {}

    void add_namespace(const std::string& netns)
    {
        plan_.namespaces.push_back(netns);
        // Forwarding everywhere; no reverse-path filter, because the lab's
        // paths are asymmetric by design (client->server via a node, replies
        // straight back); no ICMP redirects; IPv4 only, so captures carry no
        // IPv6 neighbour discovery noise.
        plan_.commands.push_back({"ip", "netns", "exec", netns, "sysctl", "-q", "-w",
                                  "net.ipv4.ip_forward=1",
                                  "net.ipv4.conf.all.rp_filter=0",
                                  "net.ipv4.conf.default.rp_filter=0",
                                  "net.ipv4.conf.all.send_redirects=0",
                                  "net.ipv4.conf.default.send_redirects=0",
                                  "net.ipv6.conf.all.disable_ipv6=1",
                                  "net.ipv6.conf.default.disable_ipv6=1"});
        ip(netns, {"link", "set", "lo", "up"});
    }

    void add_link(const Link& link)
    {
        ip(link.ns_a, {"link", "add", link.if_a, "type", "veth", "peer", "name", link.if_b, "netns", link.ns_b});
        for (const auto& [netns, ifname, addr] : {std::tuple{link.ns_a, link.if_a, link.addr_a},
                                                  std::tuple{link.ns_b, link.if_b, link.addr_b}}) {
            if (!addr.empty()) {
                ip(netns, {"addr", "add", addr + "/24", "dev", ifname});
            }
            ip(netns, {"link", "set", ifname, "up"});
        }
    }

    void ip(const std::string& netns, std::initializer_list<std::string> args)
    {
        std::vector<std::string> command{"ip", "-n", netns};
        command.insert(command.end(), args);
        plan_.commands.push_back(std::move(command));
    }

    void route(const std::string& netns, const std::string& destination, const std::string& via)
    {
        ip(netns, {"route", "add", destination, "via", via});
    }

private:
    TopologyPlan& plan_;
};

std::string node_net(std::uint32_t node, int host)
{
    return fmt::format("198.18.{}.{}", 10 + node, host);
}

std::string lan_address(std::uint32_t node)
{
    return fmt::format("198.18.100.{}", 20 + node);
}

}  // namespace

std::string namespace_name(std::string_view role)
{
    return fmt::format("{}{}", namespace_prefix, role);
}

std::string lb_namespace(std::uint32_t node)
{
    return fmt::format("{}lb{}", namespace_prefix, node);
}

TopologyPlan plan_topology(const LabConfig& config)
{
    TopologyPlan plan;
    PlanBuilder build(plan);
    const auto client = namespace_name("client");
    const auto r1 = namespace_name("r1");
    const auto r2 = namespace_name("r2");
    const auto proxy = namespace_name("proxy");
    const auto sw = namespace_name("switch");
    const auto server = namespace_name("server");

    std::vector<std::string> all{client};
    if (config.proxy) {
        all.insert(all.end(), {r1, r2, proxy});
    }
    all.push_back(sw);
    for (std::uint32_t node = 0; node < config.nodes; ++node) {
        all.push_back(lb_namespace(node));
    }
    all.push_back(server);
    for (const auto& netns : all) {
        build.add_namespace(netns);
    }

    // Client side. With the proxy: client - r1 - r2 - proxy - switch, two
    // routed hops between the client and the relay.
    if (config.proxy) {
        build.add_link({client, "up0", std::string(client_ip), r1, "down0", "198.18.1.1"});
        build.add_link({r1, "up0", "198.18.2.1", r2, "down0", "198.18.2.2"});
        build.add_link({r2, "up0", "198.18.3.1", proxy, "down0", std::string(relay_ip)});
        build.add_link({proxy, "up0", std::string(relay_source_ip), sw, "down0", "198.18.4.1"});
        build.route(client, "default", "198.18.1.1");
        build.route(r1, "default", "198.18.2.2");
        build.route(r2, "default", "198.18.3.2");
        build.route(r2, "198.18.1.0/24", "198.18.2.1");
        build.route(proxy, "default", "198.18.4.1");
        build.route(proxy, "198.18.1.0/24", "198.18.3.1");
        build.route(proxy, "198.18.2.0/24", "198.18.3.1");
        for (const auto* net : {"198.18.1.0/24", "198.18.2.0/24", "198.18.3.0/24"}) {
            build.route(sw, net, std::string(relay_source_ip));
        }
    } else {
        build.add_link({client, "up0", std::string(client_ip), sw, "down0", "198.18.1.1"});
        build.route(client, "default", "198.18.1.1");
    }

    // The server LAN: a bridge in the server namespace with one port per
    // node and one for the switch, like the shared segment of LVS direct
    // routing. The server answers through the switch, never through a node.
    build.ip(server, {"link", "add", "br0", "type", "bridge"});
    build.ip(server, {"addr", "add", std::string(server_ip) + "/24", "dev", "br0"});
    build.ip(server, {"link", "set", "br0", "up"});
    build.add_link({sw, "lan0", "198.18.100.1", server, "sw0", ""});
    build.ip(server, {"link", "set", "sw0", "master", "br0"});
    build.route(server, "default", "198.18.100.1");

    // One point-to-point link switch <-> node per node, and the node's leg
    // on the LAN. The switch's mark (node + 1) picks the routing table whose
    // only route sends the server's address via that node.
    for (std::uint32_t node = 0; node < config.nodes; ++node) {
        const auto lb = lb_namespace(node);
        const auto port = fmt::format("lb{}", node);
        build.add_link({sw, port, node_net(node, 1), lb, "sw0", node_net(node, 2)});
        build.add_link({lb, "lan0", lan_address(node), server, port, ""});
        build.ip(server, {"link", "set", port, "master", "br0"});
        const auto table = std::to_string(100 + node);
        build.ip(sw, {"route", "add", std::string(server_ip) + "/32", "via", node_net(node, 2), "table", table});
        build.ip(sw, {"rule", "add", "fwmark", fmt::format("{:#x}/{:#x}", node + 1, node_mark_mask), "lookup", table,
                      "priority", table});
    }

    plan.rulesets.push_back({sw, switch_ruleset(config)});
    for (std::uint32_t node = 0; node < config.nodes; ++node) {
        plan.rulesets.push_back({lb_namespace(node), lb_ruleset(config)});
    }
    if (config.proxy) {
        plan.rulesets.push_back({proxy, proxy_ruleset()});
    }
    return plan;
}

}  // namespace tlsprobe::lab
