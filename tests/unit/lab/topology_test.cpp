#include "lab/topology.hpp"

#include <gtest/gtest.h>

#include <boost/asio/ip/address_v4.hpp>

#include <algorithm>

#include "lab/nft_rules.hpp"

namespace tlsprobe::lab {
namespace {

bool in_benchmarking_range(const std::string& text)
{
    const auto address = boost::asio::ip::make_address_v4(text.substr(0, text.find('/')));
    return (address.to_uint() & 0xfffe0000U) == 0xc6120000U;  // 198.18.0.0/15
}

TEST(TopologyPlanTest, NamespacesCarryThePrefixAndTheProxyAddsTwoRoutersAndItself)
{
    LabConfig config;
    const auto plain = plan_topology(config);
    EXPECT_EQ(plain.namespaces,
              (std::vector<std::string>{"tlsp-client", "tlsp-switch", "tlsp-lb0", "tlsp-lb1", "tlsp-server"}));
    config.proxy = true;
    config.nodes = 3;
    const auto proxied = plan_topology(config);
    EXPECT_EQ(proxied.namespaces, (std::vector<std::string>{"tlsp-client", "tlsp-r1", "tlsp-r2", "tlsp-proxy",
                                                            "tlsp-switch", "tlsp-lb0", "tlsp-lb1", "tlsp-lb2",
                                                            "tlsp-server"}));
    EXPECT_EQ(proxied.rulesets.size(), 5U);  // switch, three nodes, proxy
}

TEST(TopologyPlanTest, EveryCommandStaysInsideTheLabAndItsAddressRange)
{
    LabConfig config;
    config.proxy = true;
    config.nodes = 16;
    for (const auto& command : plan_topology(config).commands) {
        ASSERT_GE(command.size(), 3U);
        EXPECT_EQ(command[0], "ip");
        // `ip -n NS ...` or `ip netns exec NS ...`: never the root namespace.
        const auto& netns = command[1] == "-n" ? command[2] : command[3];
        EXPECT_TRUE(netns.starts_with(namespace_prefix)) << netns;
        for (std::size_t i = 0; i + 1 < command.size(); ++i) {
            if ((command[i] == "add" && command[i + 1].find('/') != std::string::npos &&
                 command[i + 1].front() != 'd') ||
                command[i] == "via") {
                EXPECT_TRUE(in_benchmarking_range(command[i + 1])) << command[i + 1];
            }
        }
    }
}

TEST(NftRulesTest, SwitchHashesTheFourTupleWithSeedAndSendsFaultyNonSynToTheNextNode)
{
    LabConfig config;
    config.seed = 0x5eed;
    config.faulty = {5};
    config.split_prob = 0.25;
    config.loss_pct = 2.0;
    config.reset_buckets = {2};
    const auto rules = switch_ruleset(config);
    EXPECT_NE(rules.find("jhash ip saddr . tcp sport . ip daddr . tcp dport mod 8 seed 0x5eed vmap {"), std::string::npos);
    EXPECT_NE(rules.find("numgen random mod 1000000 < 20000 counter name \"lost\" drop"), std::string::npos);
    // Bucket 5: SYN to node 1 (mark 2), a quarter of the rest to node 0 (mark 1).
    const auto bucket5 = rules.substr(rules.find("chain bucket_5 {"));
    EXPECT_NE(bucket5.find("meta mark set 0x2 accept"), std::string::npos);
    EXPECT_NE(bucket5.find("numgen random mod 1000000 < 250000 meta mark set 0x1 accept"), std::string::npos);
    const auto bucket2 = rules.substr(rules.find("chain bucket_2 {"));
    EXPECT_NE(bucket2.find("@ih,0,8 0x17 meta mark set 0x101 accept"), std::string::npos);
}

TEST(NftRulesTest, HashMapReplacesJhashWithASourcePortMap)
{
    LabConfig config;
    config.hash_map_file = "map.txt";
    config.hash_map = {{20000, 1}, {20001, 0}};
    const auto rules = switch_ruleset(config);
    EXPECT_EQ(rules.find("jhash"), std::string::npos);
    EXPECT_NE(rules.find("tcp sport vmap { 20000 : goto bucket_1, 20001 : goto bucket_0 }"), std::string::npos);
}

TEST(NftRulesTest, NodeDropsFlowsWithoutSynUnlessSloppy)
{
    LabConfig config;
    EXPECT_NE(lb_ruleset(config).find("counter name \"dropped\" drop"), std::string::npos);
    config.lb_sloppy = true;
    EXPECT_EQ(lb_ruleset(config).find(" drop\n"), std::string::npos);
}

}  // namespace
}  // namespace tlsprobe::lab
