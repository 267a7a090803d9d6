#include "core/durations.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>

namespace tlsprobe::core {
namespace {

using namespace std::chrono_literals;

std::string usage_message(double seconds)
{
    try {
        (void)seconds_flag(seconds);
    } catch (const UsageError& error) {
        return error.what();
    }
    return "no error";
}

TEST(SecondsFlag, RoundsToTheNearestMillisecond)
{
    EXPECT_EQ(seconds_flag(0.5), 500ms);
    EXPECT_EQ(seconds_flag(0), 0ms);
    EXPECT_EQ(seconds_flag(2.9999), 3000ms);
    EXPECT_EQ(seconds_flag(0.0014), 1ms);
    EXPECT_EQ(seconds_flag(0.0016), 2ms);
    // 0.3 * 1000 is 299.99999999999994 in binary floating point.
    EXPECT_EQ(seconds_flag(0.3), 300ms);
}

TEST(SecondsFlag, GivesOtherUnitsWhenAsked)
{
    EXPECT_EQ(seconds_flag<std::chrono::nanoseconds>(1.5), 1'500'000'000ns);
    EXPECT_EQ(seconds_flag<std::chrono::seconds>(59.6), 60s);
}

TEST(SecondsFlag, RejectsWhatIsNotADurationNamingTheValue)
{
    EXPECT_EQ(usage_message(-1), "-1 is not a duration: want seconds from 0 to 1000000000");
    EXPECT_EQ(usage_message(std::numeric_limits<double>::quiet_NaN()),
              "nan is not a duration: want seconds from 0 to 1000000000");
    EXPECT_EQ(usage_message(std::numeric_limits<double>::infinity()),
              "inf is not a duration: want seconds from 0 to 1000000000");
    EXPECT_EQ(usage_message(2e9), "2000000000 is not a duration: want seconds from 0 to 1000000000");
}

}  // namespace
}  // namespace tlsprobe::core
