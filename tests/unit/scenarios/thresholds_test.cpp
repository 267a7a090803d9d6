// The thresholds of a scenario as summary.json holds them.
#include "scenarios/thresholds.hpp"

#include <gtest/gtest.h>

#include "core/errors.hpp"

namespace tlsprobe::scenarios {
namespace {

TEST(Thresholds, RoundTripThroughJson)
{
    const Thresholds t{.alpha = 0.01,
                       .power = 0.8,
                       .min_rate_change = 0.02,
                       .latency_tolerance_ratio = 0.5,
                       .latency_tolerance_ms = 10.0,
                       .max_failure_rate = 0.001,
                       .min_probes = 500,
                       .forbidden_verdicts = {"client_hello_lost"},
                       .max_faulty_buckets = 2,
                       .max_handshake_p99_ms = 250.0};
    const auto back = thresholds_from_json(thresholds_json(t));
    EXPECT_EQ(back.alpha, t.alpha);
    EXPECT_EQ(back.power, t.power);
    EXPECT_EQ(back.min_rate_change, t.min_rate_change);
    EXPECT_EQ(back.latency_tolerance_ratio, t.latency_tolerance_ratio);
    EXPECT_EQ(back.latency_tolerance_ms, t.latency_tolerance_ms);
    EXPECT_EQ(back.max_failure_rate, t.max_failure_rate);
    EXPECT_EQ(back.min_probes, t.min_probes);
    EXPECT_EQ(back.forbidden_verdicts, t.forbidden_verdicts);
    EXPECT_EQ(back.max_faulty_buckets, t.max_faulty_buckets);
    EXPECT_EQ(back.max_handshake_p99_ms, t.max_handshake_p99_ms);
}

TEST(Thresholds, MissingKeysKeepTheirDefaults)
{
    const auto t = thresholds_from_json({{"alpha", 0.01}, {"min_probes", 3}});
    EXPECT_EQ(t.alpha, 0.01);
    EXPECT_EQ(t.min_probes, 3U);
    EXPECT_EQ(t.power, Thresholds{}.power);
    EXPECT_EQ(t.latency_tolerance_ms, Thresholds{}.latency_tolerance_ms);
}

TEST(Thresholds, WrongTypesAndRangesNameTheKey)
{
    const auto field_of = [](const boost::json::object& object) {
        try {
            (void)thresholds_from_json(object);
        } catch (const core::InputError& error) {
            return error.field();
        }
        return std::string("(accepted)");
    };
    EXPECT_EQ(field_of({{"alpha", "0.05"}}), "alpha");
    EXPECT_EQ(field_of({{"alpha", 1.5}}), "alpha");
    EXPECT_EQ(field_of({{"power", 0}}), "power");
    EXPECT_EQ(field_of({{"min_probes", -1}}), "min_probes");
    EXPECT_EQ(field_of({{"min_probes", 2.5}}), "min_probes");
    EXPECT_EQ(field_of({{"min_probes", 0}}), "min_probes");
    EXPECT_EQ(field_of({{"latency_tolerance_ms", -2.0}}), "latency_tolerance_ms");
    EXPECT_EQ(field_of({{"max_failure_rate", 2.0}}), "max_failure_rate");
    EXPECT_EQ(field_of({{"min_rate_change", true}}), "min_rate_change");
    Thresholds zero_alpha;
    zero_alpha.alpha = 0.0;
    EXPECT_THROW(validate(zero_alpha), core::UsageError);
    EXPECT_NO_THROW(validate(Thresholds{}));
}

}  // namespace
}  // namespace tlsprobe::scenarios
