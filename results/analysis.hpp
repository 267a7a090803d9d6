#pragma once
// `tlsprobe analyze`: probes and the captures of both vantages in, one
// verdict per probe, counts, findings in words and Wireshark filters out
// (the terminal text of it is reports/analysis_text.hpp).
#include <boost/json/object.hpp>

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "prober/probe_record.hpp"
#include "results/flow_join.hpp"
#include "results/input_files.hpp"
#include "results/verdict.hpp"

namespace tlsprobe::results {

struct AnalysisInputs {
    std::optional<std::vector<prober::ProbeRecord>> probes;
    std::optional<VantageFlows> client;
    std::optional<VantageFlows> server;
};

struct Analysis {
    std::vector<VerdictRecord> verdicts;
    std::optional<FlowJoin> join;
    std::size_t probes_without_client_flow = 0;
    std::size_t client_flows_without_probe = 0;
    std::array<std::uint64_t, verdict_count> counts{};
    std::uint64_t path_split = 0;
    std::uint64_t middlebox = 0;
    std::uint64_t uncertain = 0;
    std::vector<std::string> findings;            // sentences with numbers
    std::map<Verdict, std::string> filters;       // Wireshark display filter per failing verdict (client vantage)
};

// The inputs must outlive the analysis: verdicts point at their flows.
[[nodiscard]] Analysis analyze(const AnalysisInputs& inputs);

[[nodiscard]] boost::json::object analysis_json(const Analysis& analysis, const AnalysisInputs& inputs);
// Writes DIR/verdicts.jsonl and DIR/analysis.json, each whole or not at all.
void write_analysis(const Analysis& analysis, const AnalysisInputs& inputs, const std::filesystem::path& dir);

}  // namespace tlsprobe::results
