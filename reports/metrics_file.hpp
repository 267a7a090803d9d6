#pragma once
// The canary's metrics for node_exporter's textfile collector: one file per
// scenario, tlsprobe_<scenario>.prom, in Prometheus' text exposition format,
// serialized by prometheus-cpp and replaced atomically. Every canary run is a
// new process, so each family is the last run's value (a gauge, or a
// histogram of the last run's samples), never a counter across runs.
// docs/METRICS.md lists every family.
#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "prober/latency_histogram.hpp"
#include "prober/run_stats.hpp"
#include "results/verdict.hpp"

namespace tlsprobe::reports {

// One phase's latencies in the last run: the probes that completed the phase.
struct PhaseLatency {
    std::string phase;                          // a prober::Phase name ("tcp_connect", "tls_handshake", ...)
    std::vector<double> upper_bounds_seconds;   // bucket bounds, strictly ascending, +Inf implied
    std::vector<std::uint64_t> counts;          // samples <= each bound (cumulative), one per bound
    std::uint64_t count = 0;                    // all samples
    double sum_seconds = 0.0;                   // their sum
};

// What one canary run tells Prometheus. Label values come from bounded sets
// only: the scenario, target and vantage, and the names of outcomes,
// verdicts, phases and capture vantages. Per-port and per-bucket detail
// belongs in the history, never here.
struct CanaryMetrics {
    std::string scenario;   // the scenario's name; also names the file, so a file-name component
    std::string target;     // HOST:PORT probed
    std::string vantage;    // where this canary runs (one host of many); "" drops the label in Prometheus
    std::map<std::string, std::uint64_t> outcomes;                  // every outcome name -> probes, zeros included
    std::optional<std::map<std::string, std::uint64_t>> verdicts;   // every verdict name -> probes; when captured
    std::vector<PhaseLatency> phases;
    std::optional<std::uint64_t> faulty_buckets;    // when the scenario has a hash model
    std::optional<double> hash_space_affected;      // share 0..1 of the hash space in faulty buckets
    std::map<std::string, std::uint64_t> capture_drops;   // capture vantage name -> packets the kernel dropped
    double run_start_unix_seconds = 0;
    double run_duration_seconds = 0;
    std::optional<double> last_success_unix_seconds;      // the newest healthy run, this one or earlier
    bool healthy = false;
    bool hit_bound = false;   // the run was stopped at its wall-clock bound (max_seconds)
    int exit_code = 0;
};

// Bucket bounds for phase latencies: 0.5 ms to 10 s, wide enough for the
// default timeouts (3 s connect, 5 s handshake and data).
inline constexpr std::array<double, 14> latency_bounds_seconds{
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
};

// Filling CanaryMetrics from what a run has: outcomes and verdicts with
// results::outcome_counts and verdict_counts (results/history_run.hpp),
// every phase with these.
// A bucket counts the samples known to be <= its bound
// (LatencyHistogram::count_at_or_below: within 0.8 % of the bound).
[[nodiscard]] PhaseLatency phase_latency(prober::Phase phase, const prober::LatencyHistogram& histogram,
                                         std::span<const double> bounds_seconds = latency_bounds_seconds);
[[nodiscard]] std::vector<PhaseLatency> phase_latencies(const prober::RunStats& stats);

// The exposition text, through a prometheus-cpp Registry and TextSerializer.
// Throws std::invalid_argument on a struct no run can produce (a name outside
// its set, bounds not ascending, counts not cumulative, a share outside 0..1).
[[nodiscard]] std::string metrics_text(const CanaryMetrics& metrics);

// DIR/tlsprobe_<scenario>.prom. Throws core::UsageError naming `name` when
// the scenario's name is not made of A-Z, a-z, 0-9, '.', '_' and '-' (at
// most 200 of them).
[[nodiscard]] std::filesystem::path metrics_file_path(const std::filesystem::path& dir, std::string_view scenario);

// Replaces metrics_file_path(dir, metrics.scenario) with metrics_text(metrics)
// through core::write_file_atomically, so node_exporter reads the previous
// file or the new one, whole (its temporary, ".tlsprobe_<scenario>.prom.XXXXXX",
// does not end in .prom, so the collector never reads it). Temporaries that
// killed writers left more than an hour ago are removed first. Throws as
// metrics_file_path, and core::EnvironmentError naming the file when it
// cannot be written (the previous file is then left as it was).
void write_metrics_file(const std::filesystem::path& dir, const CanaryMetrics& metrics);

}  // namespace tlsprobe::reports
