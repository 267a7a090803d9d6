#pragma once
// What a scenario counts as a change worth reporting: the error rates and
// sizes `compare` (and the canary) judge by. Meaning of each rule in
// docs/COMPARE.md.
#include <boost/json/object.hpp>

#include <cstdint>

namespace tlsprobe::scenarios {

struct Thresholds {
    double alpha = 0.05;                    // family-wise error rate of each family of tests
    double power = 0.9;                     // chance wanted of seeing a failure-rate rise of min_rate_change
    double min_rate_change = 0.01;          // smallest absolute failure-rate rise that matters (0.01: one point)
    double latency_tolerance_ratio = 0.2;   // a latency shift below this share of the before median is no change
    double latency_tolerance_ms = 2.0;      // nor is one below this many milliseconds
    double max_failure_rate = 0.0;          // highest failure rate a run may show and pass (canary)
    std::uint64_t min_probes = 1;           // fewer judged probes in a run: nothing is concluded
};

// Throws core::UsageError naming the field of a value out of range.
void validate(const Thresholds& thresholds);

// As summary.json's scenario.thresholds holds them: one key per field.
[[nodiscard]] boost::json::object thresholds_json(const Thresholds& thresholds);
// Missing keys keep their defaults; core::InputError naming the key of a
// value of the wrong type or out of range.
[[nodiscard]] Thresholds thresholds_from_json(const boost::json::object& object);

}  // namespace tlsprobe::scenarios
