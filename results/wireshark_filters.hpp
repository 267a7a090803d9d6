#pragma once
// Wireshark display filters that show the connections of each verdict.
#include <map>
#include <span>
#include <string>

#include "results/verdict.hpp"

namespace tlsprobe::results {

// One filter per failing verdict (every verdict but ok and local_error) on
// the client's addresses and ports; empty for a verdict no probe got.
[[nodiscard]] std::map<Verdict, std::string> wireshark_filters(std::span<const VerdictRecord> verdicts);

}  // namespace tlsprobe::results
