#pragma once
// What a scenario calls a change worth seeing and a run worth trusting:
// read by compare (alpha, power, the rate change and latency tolerance) and
// by the run's health judgement (max_failure_rate, min_probes).
#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace tlsprobe::scenarios {

struct Thresholds {
    double alpha = 0.05;                   // family-wise error rate of compare's tests (Holm across rows)
    double power = 0.9;                    // chance compare must have to see `min_rate_change` to call a pair unchanged
    double min_rate_change = 0.01;         // smallest absolute failure-rate change the scenario cares about
    double latency_tolerance_ratio = 0.2;  // a latency shift below this share of the before median is no change
    double latency_tolerance_ms = 2.0;     // nor one below this many milliseconds
    double max_failure_rate = 0.0;         // a run whose path failure rate is above this is unhealthy
    std::uint64_t min_probes = 1;          // fewer probes that judged the path than this: insufficient evidence
    std::vector<std::string> forbidden_verdicts;  // verdicts that make a run unhealthy even once, whatever the rate
    std::uint64_t max_faulty_buckets = 0;  // a run with more faulty hash buckets than this is unhealthy (with a model)
    double max_handshake_p99_ms = 0.0;     // a run whose TLS handshake p99 is above this is unhealthy (0: no limit)
};

// Throws core::UsageError naming the threshold out of its range.
void validate(const Thresholds& thresholds);

// As summary.json records them, under scenario.thresholds.
[[nodiscard]] boost::json::object thresholds_json(const Thresholds& thresholds);

// From summary.json; a missing key keeps its default. core::InputError naming
// the key of a value of the wrong type or out of range.
[[nodiscard]] Thresholds thresholds_from_json(const boost::json::object& object);

}  // namespace tlsprobe::scenarios
