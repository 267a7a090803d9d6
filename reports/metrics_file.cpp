#include "reports/metrics_file.hpp"

#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "core/atomic_file.hpp"
#include "core/errors.hpp"

namespace tlsprobe::reports {
namespace {

constexpr std::size_t longest_scenario_name = 200;

// A killed writer's temporary is removed once this old; a live writer
// renames its own within a second.
constexpr std::chrono::seconds stale_temporary_age{3600};

[[noreturn]] void bad(const std::string& what)
{
    throw std::invalid_argument("metrics: " + what);
}

bool is_phase_name(std::string_view name)
{
    for (int i = 0; i < prober::phase_count; ++i) {
        if (prober::to_string(static_cast<prober::Phase>(i)) == name) {
            return true;
        }
    }
    return false;
}

void check(const CanaryMetrics& metrics)
{
    for (const auto& [name, probes] : metrics.outcomes) {
        if (!prober::outcome_from_string(name)) {
            bad("\"" + name + "\" is not an outcome");
        }
    }
    if (metrics.verdicts) {
        for (const auto& [name, probes] : *metrics.verdicts) {
            if (!results::verdict_from_string(name)) {
                bad("\"" + name + "\" is not a verdict");
            }
        }
    }
    for (const auto& phase : metrics.phases) {
        if (!is_phase_name(phase.phase)) {
            bad("\"" + phase.phase + "\" is not a phase");
        }
        const auto& bounds = phase.upper_bounds_seconds;
        if (bounds.size() != phase.counts.size()) {
            bad(phase.phase + ": one count per bucket bound");
        }
        if (!std::all_of(bounds.begin(), bounds.end(), [](double b) { return std::isfinite(b); }) ||
            std::adjacent_find(bounds.begin(), bounds.end(), std::greater_equal<>()) != bounds.end()) {
            bad(phase.phase + ": bucket bounds must be finite and strictly ascending");
        }
        if (!std::is_sorted(phase.counts.begin(), phase.counts.end()) ||
            (!phase.counts.empty() && phase.counts.back() > phase.count)) {
            bad(phase.phase + ": bucket counts must be cumulative and at most the count");
        }
        if (!std::isfinite(phase.sum_seconds) || phase.sum_seconds < 0) {
            bad(phase.phase + ": the sum must be finite and not negative");
        }
    }
    if (metrics.hash_space_affected && !(*metrics.hash_space_affected >= 0.0 && *metrics.hash_space_affected <= 1.0)) {
        bad("the share of the hash space must be within 0..1");
    }
}

prometheus::Gauge& gauge(prometheus::Registry& registry, const prometheus::Labels& run, const std::string& name,
                         const std::string& help)
{
    return prometheus::BuildGauge().Name(name).Help(help).Labels(run).Register(registry).Add({});
}

void gauges_by(prometheus::Registry& registry, const prometheus::Labels& run, const std::string& name,
               const std::string& help, const std::string& label, const std::map<std::string, std::uint64_t>& values)
{
    if (values.empty()) {
        return;
    }
    auto& family = prometheus::BuildGauge().Name(name).Help(help).Labels(run).Register(registry);
    for (const auto& [value, count] : values) {
        family.Add({{label, value}}).Set(static_cast<double>(count));
    }
}

}  // namespace

PhaseLatency phase_latency(prober::Phase phase, const prober::LatencyHistogram& histogram,
                           std::span<const double> bounds_seconds)
{
    PhaseLatency latency{.phase = std::string(prober::to_string(phase)),
                         .upper_bounds_seconds = {bounds_seconds.begin(), bounds_seconds.end()},
                         .counts = {},
                         .count = histogram.count(),
                         .sum_seconds = static_cast<double>(histogram.sum()) / 1e9};
    for (const double bound : bounds_seconds) {
        latency.counts.push_back(histogram.count_at_or_below(std::llround(bound * 1e9)));
    }
    return latency;
}

std::vector<PhaseLatency> phase_latencies(const prober::RunStats& stats)
{
    std::vector<PhaseLatency> phases;
    for (int i = 0; i < prober::phase_count; ++i) {
        const auto phase = static_cast<prober::Phase>(i);
        phases.push_back(phase_latency(phase, stats.phase(phase)));
    }
    return phases;
}

std::string metrics_text(const CanaryMetrics& metrics)
{
    check(metrics);
    prometheus::Registry registry;
    const prometheus::Labels run{
        {"scenario", metrics.scenario}, {"target", metrics.target}, {"vantage", metrics.vantage}};

    gauges_by(registry, run, "tlsprobe_last_run_probes", "Probes of the last canary run, by outcome.", "outcome",
              metrics.outcomes);
    if (metrics.verdicts) {
        gauges_by(registry, run, "tlsprobe_last_run_verdicts",
                  "Probes of the last canary run, by verdict from the paired captures.", "verdict",
                  *metrics.verdicts);
    }
    if (!metrics.phases.empty()) {
        auto& family = prometheus::BuildHistogram()
                           .Name("tlsprobe_last_run_phase_duration_seconds")
                           .Help("Phase durations of the last canary run's probes that completed the phase "
                                 "(this run's samples only, not cumulative across runs).")
                           .Labels(run)
                           .Register(registry);
        for (const auto& phase : metrics.phases) {
            // ObserveMultiple takes each bucket's own count, +Inf's last.
            std::vector<double> increments;
            std::uint64_t below = 0;
            for (const auto cumulative : phase.counts) {
                increments.push_back(static_cast<double>(cumulative - below));
                below = cumulative;
            }
            increments.push_back(static_cast<double>(phase.count - below));
            family.Add({{"phase", phase.phase}}, phase.upper_bounds_seconds)
                .ObserveMultiple(increments, phase.sum_seconds);
        }
    }
    if (metrics.faulty_buckets) {
        gauge(registry, run, "tlsprobe_last_run_faulty_buckets",
              "Hash buckets the last canary run found faulty under the scenario's hash model.")
            .Set(static_cast<double>(*metrics.faulty_buckets));
    }
    if (metrics.hash_space_affected) {
        gauge(registry, run, "tlsprobe_last_run_hash_space_affected_ratio",
              "Share (0 to 1) of the hash space in the faulty buckets of the last canary run.")
            .Set(*metrics.hash_space_affected);
    }
    gauges_by(registry, run, "tlsprobe_last_run_capture_dropped_packets",
              "Packets the kernel dropped in the last canary run, by capture vantage.", "capture",
              metrics.capture_drops);
    gauge(registry, run, "tlsprobe_last_run_start_timestamp_seconds",
          "Start of the last canary run, seconds since the Unix epoch.")
        .Set(metrics.run_start_unix_seconds);
    gauge(registry, run, "tlsprobe_last_run_duration_seconds", "Wall-clock duration of the last canary run.")
        .Set(metrics.run_duration_seconds);
    if (metrics.last_success_unix_seconds) {
        gauge(registry, run, "tlsprobe_last_success_timestamp_seconds",
              "Start of the newest healthy canary run, seconds since the Unix epoch.")
            .Set(*metrics.last_success_unix_seconds);
    }
    gauge(registry, run, "tlsprobe_last_run_healthy", "1 when the last canary run was healthy, 0 otherwise.")
        .Set(metrics.healthy ? 1.0 : 0.0);
    gauge(registry, run, "tlsprobe_last_run_hit_bound",
          "1 when the last canary run was stopped at its wall-clock bound (max_seconds), 0 otherwise.")
        .Set(metrics.hit_bound ? 1.0 : 0.0);
    gauge(registry, run, "tlsprobe_last_run_exit_code", "Exit code of the last canary run (README's table).")
        .Set(metrics.exit_code);

    // The registry keeps a family's series in a hash map; sorted by their
    // labels, the same run always reads the same, and people find a series.
    auto families = registry.Collect();
    for (auto& family : families) {
        std::sort(family.metric.begin(), family.metric.end(),
                  [](const prometheus::ClientMetric& a, const prometheus::ClientMetric& b) { return a.label < b.label; });
    }
    return prometheus::TextSerializer().Serialize(families);
}

std::filesystem::path metrics_file_path(const std::filesystem::path& dir, std::string_view scenario)
{
    if (scenario.empty() || scenario.size() > longest_scenario_name ||
        scenario.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") !=
            std::string_view::npos) {
        throw core::UsageError("name", ": scenario name \"" + std::string(scenario) +
                                           "\" names the metrics file, so it must be 1 to 200 of A-Z, a-z, "
                                           "0-9, '.', '_' and '-'");
    }
    return dir / ("tlsprobe_" + std::string(scenario) + ".prom");
}

void write_metrics_file(const std::filesystem::path& dir, const CanaryMetrics& metrics)
{
    const auto path = metrics_file_path(dir, metrics.scenario);
    const auto text = metrics_text(metrics);
    core::remove_stale_temporaries(path, stale_temporary_age);
    core::write_file_atomically(path, text);
}

}  // namespace tlsprobe::reports
