#include "core/stop_signals.hpp"

#include <gtest/gtest.h>
#include <signal.h>

namespace tlsprobe::core {
namespace {

using namespace std::chrono_literals;

// The signals stay blocked in this test process afterwards, as they do in
// the commands; nothing else in this binary relies on their default action.
TEST(StopSignals, TakesSigintAndSigtermWithoutAHandler)
{
    const StopSignals signals;
    EXPECT_FALSE(signals.take().has_value());
    EXPECT_FALSE(signals.received(0ms));
    ::raise(SIGTERM);
    EXPECT_EQ(signals.take(), SIGTERM);
    ::raise(SIGINT);
    EXPECT_TRUE(signals.received(1s));
    EXPECT_FALSE(signals.received(10ms));
}

}  // namespace
}  // namespace tlsprobe::core
