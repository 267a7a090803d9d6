#pragma once
// Which connections the reports show as examples: the terminal's
// "Example client_hello_lost / middlebox_acked:" and the HTML report's ladder
// diagrams pick the same ones.
#include <cstdint>
#include <vector>

#include "results/analysis.hpp"

namespace tlsprobe::reports {

// The first record of each failing verdict (not ok, not local_error) that has
// a client-side flow, in the order of the verdicts.
[[nodiscard]] std::vector<const results::VerdictRecord*> verdict_examples(const results::Analysis& analysis);

// The clock offset the examples' server times are shifted by: the join's,
// or none (zero samples) without a server vantage.
[[nodiscard]] results::ClockOffset example_clock_offset(const results::Analysis& analysis);

// Time zero of an example: the client's SYN, or its first packet without one.
[[nodiscard]] std::int64_t example_origin_ns(const results::FlowEvidence& client);

}  // namespace tlsprobe::reports
