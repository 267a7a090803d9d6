#include "scenarios/thresholds.hpp"

#include <boost/json/array.hpp>

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

void read_whole(const boost::json::object& object, const char* key, std::uint64_t& into)
{
    if (const auto* value = object.if_contains(key)) {
        boost::system::error_code ec;
        const auto number = value->is_number() ? value->to_number<std::uint64_t>(ec) : 0;
        if (!value->is_number() || ec) {
            throw core::InputError(key, ": is not a whole number");
        }
        into = number;
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
    check_within(thresholds.max_handshake_p99_ms, "max_handshake_p99_ms", 0.0, 1e7, "from 0 to 10000000");
}

boost::json::object thresholds_json(const Thresholds& thresholds)
{
    return {{"alpha", thresholds.alpha},
            {"power", thresholds.power},
            {"min_rate_change", thresholds.min_rate_change},
            {"latency_tolerance_ratio", thresholds.latency_tolerance_ratio},
            {"latency_tolerance_ms", thresholds.latency_tolerance_ms},
            {"max_failure_rate", thresholds.max_failure_rate},
            {"min_probes", thresholds.min_probes},
            {"forbidden_verdicts", boost::json::array(thresholds.forbidden_verdicts.begin(),
                                                      thresholds.forbidden_verdicts.end())},
            {"max_faulty_buckets", thresholds.max_faulty_buckets},
            {"max_handshake_p99_ms", thresholds.max_handshake_p99_ms}};
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
    read_number(object, "max_handshake_p99_ms", thresholds.max_handshake_p99_ms);
    read_whole(object, "max_faulty_buckets", thresholds.max_faulty_buckets);
    if (const auto* value = object.if_contains("forbidden_verdicts")) {
        if (!value->is_array()) {
            throw core::InputError("forbidden_verdicts", ": is not an array of verdict names");
        }
        for (const auto& name : value->as_array()) {
            if (!name.is_string()) {
                throw core::InputError("forbidden_verdicts", ": is not an array of verdict names");
            }
            thresholds.forbidden_verdicts.emplace_back(name.as_string());
        }
    }
    read_whole(object, "min_probes", thresholds.min_probes);
    try {
        validate(thresholds);
    } catch (const core::UsageError& error) {
        throw core::InputError(error.field(), error.detail());
    }
    return thresholds;
}

}  // namespace tlsprobe::scenarios
