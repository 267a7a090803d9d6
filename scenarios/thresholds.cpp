#include "scenarios/thresholds.hpp"

#include <fmt/format.h>

#include "core/errors.hpp"

namespace tlsprobe::scenarios {
namespace {

void check_open_unit(double value, const char* field)
{
    if (!(value > 0.0 && value < 1.0)) {
        throw core::UsageError(field, fmt::format(": {} is not in (0, 1)", value));
    }
}

void check_non_negative(double value, const char* field)
{
    if (!(value >= 0.0 && value < 1e12)) {
        throw core::UsageError(field, fmt::format(": {} is not a number of at least 0", value));
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

void validate(const Thresholds& t)
{
    check_open_unit(t.alpha, "alpha");
    check_open_unit(t.power, "power");
    check_open_unit(t.min_rate_change, "min_rate_change");
    check_non_negative(t.latency_tolerance_ratio, "latency_tolerance_ratio");
    check_non_negative(t.latency_tolerance_ms, "latency_tolerance_ms");
    if (!(t.max_failure_rate >= 0.0 && t.max_failure_rate <= 1.0)) {
        throw core::UsageError("max_failure_rate", fmt::format(": {} is not a rate in [0, 1]", t.max_failure_rate));
    }
    if (t.min_probes == 0) {
        throw core::UsageError("min_probes", ": must be at least 1");
    }
}

boost::json::object thresholds_json(const Thresholds& t)
{
    return {
        {"alpha", t.alpha},
        {"power", t.power},
        {"min_rate_change", t.min_rate_change},
        {"latency_tolerance_ratio", t.latency_tolerance_ratio},
        {"latency_tolerance_ms", t.latency_tolerance_ms},
        {"max_failure_rate", t.max_failure_rate},
        {"min_probes", t.min_probes},
    };
}

Thresholds thresholds_from_json(const boost::json::object& object)
{
    Thresholds t;
    read_number(object, "alpha", t.alpha);
    read_number(object, "power", t.power);
    read_number(object, "min_rate_change", t.min_rate_change);
    read_number(object, "latency_tolerance_ratio", t.latency_tolerance_ratio);
    read_number(object, "latency_tolerance_ms", t.latency_tolerance_ms);
    read_number(object, "max_failure_rate", t.max_failure_rate);
    if (const auto* value = object.if_contains("min_probes")) {
        boost::system::error_code ec;
        const auto number = value->is_number() ? value->to_number<std::uint64_t>(ec) : 0;
        if (!value->is_number() || ec) {
            throw core::InputError("min_probes", ": is not a whole number");
        }
        t.min_probes = number;
    }
    try {
        validate(t);
    } catch (const core::UsageError& error) {
        throw core::InputError(error.field(), error.detail());
    }
    return t;
}

}  // namespace tlsprobe::scenarios
