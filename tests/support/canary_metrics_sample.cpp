#include "canary_metrics_sample.hpp"

#include <cmath>
#include <random>

#include "prober/run_stats.hpp"
#include "results/history_run.hpp"

namespace tlsprobe::testing {

reports::CanaryMetrics sample_canary_metrics(std::uint64_t version, const std::string& scenario)
{
    std::mt19937_64 random(version);
    std::lognormal_distribution<double> rtt_ns(std::log(2e6), 0.4);   // around 2 ms
    const std::uint64_t probes = 200 + version % 50;
    const std::uint64_t failing = 7;
    prober::RunStats stats;
    for (std::uint64_t i = 0; i < probes; ++i) {
        prober::ProbeRecord record;
        const auto rtt = static_cast<std::int64_t>(rtt_ns(random));
        std::int64_t t = static_cast<std::int64_t>(i) * 50'000'000;
        record.t.scheduled = t;
        record.t.connect_start = t += 20'000;
        record.t.established = t += rtt;
        record.t.client_hello = t += 30'000;
        if (i < failing) {
            record.outcome = prober::Outcome::handshake_timeout;
            record.t.closed = t + 5'000'000'000;
        } else {
            record.t.server_hello = t += rtt;
            record.t.handshake_done = t += rtt / 2;
            record.t.request = t += 10'000;
            record.t.first_byte = t += rtt;
            record.t.done = t += 40'000;
            record.t.closed = t += 15'000;
        }
        stats.add(record);
    }
    std::array<std::uint64_t, results::verdict_count> verdicts{};
    verdicts[static_cast<std::size_t>(results::Verdict::ok)] = probes - failing;
    verdicts[static_cast<std::size_t>(results::Verdict::client_hello_lost)] = failing;

    reports::CanaryMetrics metrics;
    metrics.scenario = scenario;
    metrics.target = "192.0.2.10:443";
    metrics.vantage = "fra1";
    metrics.outcomes = results::outcome_counts(stats);
    metrics.verdicts = results::verdict_counts(verdicts);
    metrics.phases = reports::phase_latencies(stats);
    metrics.faulty_buckets = 1;
    metrics.hash_space_affected = 1.0 / 8;
    metrics.capture_drops = {{"client", 0}, {"server", 3}};
    metrics.run_start_unix_seconds = 1'700'000'000.0 + static_cast<double>(version);
    metrics.run_duration_seconds = 12.5;
    metrics.last_success_unix_seconds = 1'699'999'700.0;
    metrics.healthy = false;
    metrics.hit_bound = false;
    metrics.exit_code = 1;
    return metrics;
}

}  // namespace tlsprobe::testing
