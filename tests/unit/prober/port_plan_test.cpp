#include "prober/port_plan.hpp"

#include <gtest/gtest.h>

#include <set>

namespace tlsprobe::prober {
namespace {

scenarios::RunPlan plan_with_range(std::uint16_t low, std::uint16_t high)
{
    scenarios::RunPlan plan;
    plan.port_range = {low, high};
    return plan;
}

TEST(PortPlan, SweepGivesEachPortOneAttemptInOrder)
{
    const PortPlan ports(plan_with_range(40000, 40004));
    for (std::uint64_t i = 0; i < 5; ++i) {
        EXPECT_EQ(ports.at(i).port, 40000 + i);
        EXPECT_EQ(ports.at(i).attempt, 1U);
    }
}

TEST(PortPlan, SecondPassReprobesTheSameTuplesAsAttemptTwo)
{
    const PortPlan ports(plan_with_range(40000, 40002));
    EXPECT_EQ(ports.at(3).port, 40000);
    EXPECT_EQ(ports.at(3).attempt, 2U);
    EXPECT_EQ(ports.at(8).port, 40002);
    EXPECT_EQ(ports.at(8).attempt, 3U);
}

TEST(PortPlan, ExplicitListIsUsedAsGiven)
{
    auto plan = plan_with_range(1, 1);
    plan.ports = {443, 8443, 1025};
    const PortPlan ports(plan);
    EXPECT_EQ(ports.size(), 3U);
    EXPECT_EQ(ports.at(1).port, 8443);
    EXPECT_EQ(ports.at(2).port, 1025);
}

TEST(PortPlan, APortListedTwiceCountsItsAttemptsOverTheListAndThePasses)
{
    auto plan = plan_with_range(1, 1);
    plan.ports = {443, 443, 8443, 443};
    const PortPlan ports(plan);
    EXPECT_EQ(ports.at(0).attempt, 1U);
    EXPECT_EQ(ports.at(1).attempt, 2U);
    EXPECT_EQ(ports.at(2).attempt, 1U);
    EXPECT_EQ(ports.at(3).attempt, 3U);
    // Second pass.
    EXPECT_EQ(ports.at(4).attempt, 4U);
    EXPECT_EQ(ports.at(5).attempt, 5U);
    EXPECT_EQ(ports.at(6).port, 8443);
    EXPECT_EQ(ports.at(6).attempt, 2U);
    EXPECT_EQ(ports.at(7).attempt, 6U);
}

TEST(PortPlan, RandomOrderIsAPermutationFixedBySeed)
{
    auto plan = plan_with_range(50000, 50999);
    plan.port_order = scenarios::PortOrder::random;
    plan.seed = 7;
    const PortPlan first(plan);
    const PortPlan again(plan);
    std::set<std::uint16_t> seen;
    bool in_order = true;
    for (std::uint64_t i = 0; i < 1000; ++i) {
        seen.insert(first.at(i).port);
        EXPECT_EQ(first.at(i).port, again.at(i).port);
        in_order = in_order && first.at(i).port == 50000 + i;
    }
    EXPECT_EQ(seen.size(), 1000U);
    EXPECT_FALSE(in_order);
    plan.seed = 8;
    const PortPlan other(plan);
    int same = 0;
    for (std::uint64_t i = 0; i < 1000; ++i) {
        same += first.at(i).port == other.at(i).port;
    }
    EXPECT_LT(same, 20);
}

}  // namespace
}  // namespace tlsprobe::prober
