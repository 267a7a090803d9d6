#pragma once
// Runs as a canary appends them to the run history, for the tests of the
// store, of `tlsprobe history` and of appends cut by SIGKILL. Header-only:
// only targets that link tlsprobe_results include it.
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "results/history_run.hpp"

namespace tlsprobe::testing {

inline constexpr std::string_view history_model = "jhash:seed=0x5eed,mod=8";

// `ok` probes that ended ok and `failed` that timed out in the handshake,
// unhealthy when any failed; buckets numbered under history_model.
inline results::HistoryRun sample_run(std::string scenario, std::string started_utc, std::uint64_t ok,
                                      std::uint64_t failed, std::vector<results::HistoryBucket> buckets = {})
{
    results::HistoryRun run;
    run.scenario = std::move(scenario);
    run.target = "198.18.100.10:443";
    run.vantage = "client-a";
    run.started_utc = std::move(started_utc);
    run.duration_seconds = 30.5;
    run.probes = ok + failed;
    if (ok != 0) {
        run.outcomes["ok"] = ok;
    }
    if (failed != 0) {
        run.outcomes["handshake_timeout"] = failed;
    }
    run.health = failed == 0 ? results::Health::healthy : results::Health::unhealthy;
    run.exit_code = failed == 0 ? 0 : 1;
    run.run_dir = "/var/lib/tlsprobe/runs/" + run.scenario + "-" + run.started_utc;
    if (!buckets.empty()) {
        run.hash_model = std::string(history_model);
    }
    run.buckets = std::move(buckets);
    return run;
}

// A bucket in which `failures` of `probes` failed, faulty or not.
inline results::HistoryBucket failing_bucket(std::uint32_t bucket, std::uint64_t probes, std::uint64_t failures,
                                             bool faulty = true)
{
    return {.bucket = bucket, .probes = probes, .failures = failures, .faulty = faulty};
}

// Run number `sequence` of the SIGKILL test: everything in it follows from
// the number (run_dir "loop/<sequence>"), so a run read back can be checked
// whole: its outcome counts and every bucket row.
inline results::HistoryRun numbered_run(std::uint64_t sequence)
{
    const auto start = std::chrono::sys_days{std::chrono::year{2026} / 12 / 2} + std::chrono::seconds(sequence);
    const auto failed = sequence % 10;
    std::vector<results::HistoryBucket> buckets;
    for (std::uint32_t i = 0; i < sequence % 6; ++i) {
        buckets.push_back(failing_bucket(i * 3, 10 + i, 1 + i % 3, i % 2 == 0));
    }
    auto run = sample_run("loop", results::utc_timestamp(start), 100 - failed, failed, std::move(buckets));
    run.run_dir = "loop/" + std::to_string(sequence);
    return run;
}

}  // namespace tlsprobe::testing
