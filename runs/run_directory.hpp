#pragma once
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "results/analysis.hpp"
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
