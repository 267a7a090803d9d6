#pragma once
// A CanaryMetrics filled as a canary with paired captures and a hash model
// fills it, from a seeded run of probe records, for the metrics tests.
#include <cstdint>
#include <string>

#include "reports/metrics_file.hpp"

namespace tlsprobe::testing {

// `version` tells runs apart: the run starts at 1,700,000,000 + version
// seconds and the run had 200 + version % 50 probes (7 of them failing in
// bucket 5 of 8). The same arguments give the same struct, so the same text.
[[nodiscard]] reports::CanaryMetrics sample_canary_metrics(std::uint64_t version = 0,
                                                           const std::string& scenario = "canary");

}  // namespace tlsprobe::testing
