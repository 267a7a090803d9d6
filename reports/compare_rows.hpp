#pragma once
// The cells of a comparison's rows, formatted once for the terminal table
// (compare_text) and the HTML page (compare_report).
#include <string>
#include <string_view>
#include <vector>

#include "results/run_comparison.hpp"

namespace tlsprobe::reports {

// "failed", an outcome, "verdict client_hello_lost", "bucket 5".
[[nodiscard]] std::string rate_row_name(const results::RateRow& row);

// before n/of, rate, 95%, after n/of, rate, 95%, diff pt, p, Holm p, change.
[[nodiscard]] std::vector<std::string> rate_row_headers();
[[nodiscard]] std::vector<std::string> rate_row_cells(const results::RateRow& row);

// Phase, before samples, median, p99, after samples, median, p99, shift, its
// interval at 1 - alpha, tolerance, Holm p, change; times in ms.
[[nodiscard]] std::vector<std::string> latency_row_headers(double alpha);
[[nodiscard]] std::vector<std::string> latency_row_cells(const results::LatencyRow& row);

// "DIR (scenario NAME, sha256 ...): N probes, J judged, F failed".
[[nodiscard]] std::string run_side_text(const results::RunSide& side);

// "key=value, ..." of the scenario's labels.
[[nodiscard]] std::string labels_text(const boost::json::object& labels);

}  // namespace tlsprobe::reports
