#include "prober/arrival_schedule.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

namespace tlsprobe::prober {
namespace {

TEST(ArrivalSchedule, ConstantRateSpacesGlobalIndicesEvenlyAcrossWorkers)
{
    ArrivalSchedule worker0(scenarios::Arrival::constant, 100.0, 1, 0, 2);
    ArrivalSchedule worker1(scenarios::Arrival::constant, 100.0, 1, 1, 2);
    for (std::uint64_t k = 0; k < 50; ++k) {
        const auto a = worker0.next();
        const auto b = worker1.next();
        EXPECT_EQ(a.probe_index, 2 * k);
        EXPECT_EQ(b.probe_index, 2 * k + 1);
        EXPECT_EQ(a.due_ns, static_cast<std::int64_t>(2 * k) * 10'000'000);
        EXPECT_EQ(b.due_ns, static_cast<std::int64_t>(2 * k + 1) * 10'000'000);
    }
}

TEST(ArrivalSchedule, UnpacedRunHasEveryProbeDueAtOnce)
{
    ArrivalSchedule schedule(scenarios::Arrival::constant, 0.0, 1, 0, 1);
    for (int i = 0; i < 10; ++i) {
        EXPECT_EQ(schedule.next().due_ns, 0);
    }
}

TEST(ArrivalSchedule, PoissonGapsHaveTheRequestedMeanAndSpread)
{
    // Two workers at 1000/s in total: each stream has mean gap 2 ms, and an
    // exponential gap has standard deviation equal to its mean.
    ArrivalSchedule schedule(scenarios::Arrival::poisson, 1000.0, 42, 0, 2);
    constexpr int n = 20000;
    double sum = 0;
    double sum_squares = 0;
    std::int64_t previous = 0;
    for (int i = 0; i < n; ++i) {
        const auto slot = schedule.next();
        ASSERT_GE(slot.due_ns, previous);
        const double gap = static_cast<double>(slot.due_ns - previous) / 1e6;
        previous = slot.due_ns;
        sum += gap;
        sum_squares += gap * gap;
    }
    const double mean = sum / n;
    const double deviation = std::sqrt(sum_squares / n - mean * mean);
    EXPECT_NEAR(mean, 2.0, 0.06);
    EXPECT_NEAR(deviation, 2.0, 0.1);
}

TEST(ArrivalSchedule, PoissonIsReproducibleFromTheSeed)
{
    ArrivalSchedule a(scenarios::Arrival::poisson, 200.0, 9, 1, 2);
    ArrivalSchedule b(scenarios::Arrival::poisson, 200.0, 9, 1, 2);
    ArrivalSchedule c(scenarios::Arrival::poisson, 200.0, 10, 1, 2);
    bool differs = false;
    for (int i = 0; i < 100; ++i) {
        const auto x = a.next();
        EXPECT_EQ(x.due_ns, b.next().due_ns);
        differs = differs || x.due_ns != c.next().due_ns;
    }
    EXPECT_TRUE(differs);
}

}  // namespace
}  // namespace tlsprobe::prober
