#include "scenarios/thresholds.hpp"

#include <cmath>

#include "core/errors.hpp"

namespace tlsprobe::scenarios {
namespace {

void check_within(double value, const char* field, double low, double high, const char* rule)
{
    if (!(value >= low && value <= high) || !std::isfinite(value)) {
        throw core::UsageError(field, std::string(": must be ") + rule);
    }
}

void read_number(const boost::json::object& object, const char* key, double& into)
{
    if (const auto* value = object.if_contains(key)) {
        if (!value->is_number()) {
            throw core::InputError(key, ": is not a number");
        }
        into = value->to_number<double>();
    }
}

}  // namespace

void validate(const Thresholds& thresholds)
{
    check_within(thresholds.alpha, "alpha", 1e-9, 0.5, "in (0, 0.5]");
    check_within(thresholds.power, "power", 0.5, 0.9999, "from 0.5 to 0.9999");
    check_within(thresholds.min_rate_change, "min_rate_change", 1e-6, 1.0, "in (0, 1]");
    check_within(thresholds.latency_tolerance_ratio, "latency_tolerance_ratio", 0.0, 100.0, "from 0 to 100");
    check_within(thresholds.latency_tolerance_ms, "latency_tolerance_ms", 0.0, 1e6, "from 0 to 1000000");
    check_within(thresholds.max_failure_rate, "max_failure_rate", 0.0, 0.999999, "in [0, 1)");
    if (thresholds.min_probes == 0) {
        throw core::UsageError("min_probes", ": must be at least 1");
    }
}

boost::json::object thresholds_json(const Thresholds& thresholds)
{
    return {{"alpha", thresholds.alpha},
            {"power", thresholds.power},
            {"min_rate_change", thresholds.min_rate_change},
            {"latency_tolerance_ratio", thresholds.latency_tolerance_ratio},
            {"latency_tolerance_ms", thresholds.latency_tolerance_ms},
            {"max_failure_rate", thresholds.max_failure_rate},
            {"min_probes", thresholds.min_probes}};
}

Thresholds thresholds_from_json(const boost::json::object& object)
{
    Thresholds thresholds;
    read_number(object, "alpha", thresholds.alpha);
    read_number(object, "power", thresholds.power);
    read_number(object, "min_rate_change", thresholds.min_rate_change);
    read_number(object, "latency_tolerance_ratio", thresholds.latency_tolerance_ratio);
    read_number(object, "latency_tolerance_ms", thresholds.latency_tolerance_ms);
    read_number(object, "max_failure_rate", thresholds.max_failure_rate);
    if (const auto* value = object.if_contains("min_probes")) {
        boost::system::error_code ec;
        const auto number = value->is_number() ? value->to_number<std::uint64_t>(ec) : 0;
        if (!value->is_number() || ec) {
            throw core::InputError("min_probes", ": is not a whole number");
        }
        thresholds.min_probes = number;
    }
    try {
        validate(thresholds);
    } catch (const core::UsageError& error) {
        throw core::InputError(error.field(), error.detail());
    }
    return thresholds;
}

}  // namespace tlsprobe::scenarios
