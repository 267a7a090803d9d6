#pragma once
// Per-worker statistics of a probe run, merged at the end into the summary.
#include <boost/json/object.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "prober/latency_histogram.hpp"
#include "prober/probe_record.hpp"

namespace tlsprobe::prober {

// Durations reported per probe, each between two phase timestamps.
enum class Phase {
    start_lag,           // connect_start - scheduled: how late the schedule was kept
    tcp_connect,         // established - connect_start
    server_hello_wait,   // server_hello - client_hello: ClientHello out to first server byte
    tls_handshake,       // handshake_done - established
    time_to_first_byte,  // first_byte - request
    response,            // done - first_byte
    total,               // closed - connect_start
};
inline constexpr int phase_count = static_cast<int>(Phase::total) + 1;
[[nodiscard]] std::string_view to_string(Phase phase);

class RunStats {
public:
    void add(const ProbeRecord& record);
    void merge(const RunStats& other);

    [[nodiscard]] std::uint64_t probes() const { return probes_; }
    [[nodiscard]] std::uint64_t count(Outcome outcome) const
    {
        return outcomes_[static_cast<std::size_t>(outcome)];
    }
    [[nodiscard]] const LatencyHistogram& phase(Phase which) const
    {
        return phases_[static_cast<std::size_t>(which)];
    }

private:
    std::uint64_t probes_ = 0;
    std::array<std::uint64_t, outcome_count> outcomes_{};
    std::array<LatencyHistogram, phase_count> phases_{};
};

// What the summary says about the run besides the statistics.
struct RunFacts {
    std::string target;
    std::uint64_t planned = 0;       // probes the plan asked for
    double wall_seconds = 0;         // from first scheduled probe to the end
    bool interrupted = false;
    bool hit_bound = false;          // stopped at the run's wall-clock bound (max_seconds)
    std::uint64_t late_starts = 0;   // probes that waited for a free concurrency slot
};

// The quantiles the summary reports per phase, in the order they are shown.
struct ReportedQuantile {
    std::string_view name;
    double quantile;
};
inline constexpr std::array<ReportedQuantile, 5> reported_quantiles{{
    {"min", 0.0}, {"p50", 0.50}, {"p95", 0.95}, {"p99", 0.99}, {"max", 1.0},
}};
// The histogram's value at `quantile`: its exact min at 0, its exact max at 1.
[[nodiscard]] std::int64_t quantile_value(const LatencyHistogram& histogram, double quantile);

[[nodiscard]] boost::json::object summary_json(const RunStats& stats, const RunFacts& facts);

}  // namespace tlsprobe::prober
