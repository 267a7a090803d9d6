#pragma once
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include <chrono>
#include <optional>
#include <span>

#include "prober/run_stats.hpp"
#include "results/analysis.hpp"
#include "results/health.hpp"
#include "scenarios/scenario.hpp"

namespace tlsprobe::runs {

// The directory a command writes into: `requested`, or
// <parent>/<prefix><UTC time> (-2, -3, ... when taken) when empty; created
// with its parents. Throws core::EnvironmentError when it
// cannot be created.
[[nodiscard]] std::filesystem::path make_run_directory(const std::string& requested, std::string_view prefix,
                                                       const std::filesystem::path& parent = "runs");

// A run never writes into another run's directory: core::UsageError (field
// `out`) when `requested` already holds probes.jsonl.
void refuse_existing_run(const std::filesystem::path& requested);

// Writes the effective scenario as DIR/scenario.toml (without `out`, so the
// directory runs again as `run --scenario DIR/scenario.toml`); returns the
// file's SHA-256.
std::string write_scenario_file(const std::filesystem::path& dir, const scenarios::Scenario& scenario);

// summary.json's `scenario`: name, description, file, sha256, thresholds,
// hash_model, background_loss, labels.
[[nodiscard]] boost::json::object scenario_json(const scenarios::Scenario& scenario, std::string_view sha256);

// What summary.json of a run (or a hunt) is made of.
struct RunSummaryParts {
    const scenarios::Scenario& scenario;
    std::string_view scenario_sha256;
    const prober::RunStats& stats;
    const prober::RunFacts& facts;
    std::chrono::system_clock::time_point started;
    std::span<const std::string> vantage_problems;   // capture agents that stopped early or failed
    const results::HealthJudgement& judgement;
    // A hunt's rounds; its probes are timed from the start of their round.
    std::optional<std::uint64_t> hunt_rounds = std::nullopt;
};

// Writes DIR/summary.json whole or not at all: the statistics, the UTC
// start, the scenario, the whole plan, the captures, the vantages' problems
// and the health with its reasons.
void write_run_summary(const std::filesystem::path& dir, const RunSummaryParts& parts);

// DIR/summary.json, read whole. core::InputError naming the file when it is
// missing (the run did not finish), not JSON, or not a run's summary.
[[nodiscard]] boost::json::object read_run_summary(const std::filesystem::path& dir);

// Replaces the health and its reasons in DIR/summary.json by a later
// judgement (the canary's thresholds, judged after the run), whole or not at all.
void rewrite_summary_health(const std::filesystem::path& dir, const results::HealthJudgement& judgement);

// Where a run keeps the timelines that vantage `name` streamed.
[[nodiscard]] std::filesystem::path vantage_flows_file(const std::filesystem::path& run_dir, std::string_view name);

// Where a local capture agent of vantage `name` writes its packets.
[[nodiscard]] std::filesystem::path vantage_pcap_file(const std::filesystem::path& run_dir, std::string_view name);

// A run directory as `run --capture` leaves it: probes.jsonl, and the
// client and server vantages' timelines when they were captured. A flows
// file that its agent did not finish (no capture summary: killed) is
// replaced by the vantage's pcap when there is one; a cut server vantage
// without a pcap is left out rather than trusted.
[[nodiscard]] results::AnalysisInputs read_run_directory(const std::filesystem::path& dir);

// RUN_DIR/probes.jsonl as the hashing device saw it: behind a NAT or a
// TCP-terminating proxy (verdicts.jsonl names the server-side tuple), each
// probe under the tuple that reached the server. core::InputError when the
// directory holds no probes.
[[nodiscard]] std::vector<prober::ProbeRecord> read_hashed_probes(const std::filesystem::path& dir);

}  // namespace tlsprobe::runs
