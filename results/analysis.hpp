#pragma once
// `tlsprobe analyze`: probes and the captures of both vantages in, one
// verdict per probe, counts, findings in words and Wireshark filters out.
#include <boost/json/object.hpp>

#include <array>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "results/flow_evidence.hpp"
#include "results/flow_join.hpp"
#include "prober/probe_record.hpp"
#include "results/verdict.hpp"

namespace tlsprobe::results {

// The timelines of one vantage and whether its capture lost packets.
struct VantageFlows {
    std::string name;
    std::string source;                 // file it came from
    std::vector<FlowEvidence> flows;
    std::optional<std::uint64_t> kernel_dropped;   // empty: not a live capture (or not reported)
    std::optional<std::string> input_error;        // a truncated capture file
    [[nodiscard]] bool lossy() const { return kernel_dropped.value_or(0) > 0; }
};

// flows.jsonl as written by `tlsprobe capture` / `tlsprobe flows`, read whole.
// Lines of type "flow" give timelines, "capture_summary" the drop counts.
// Throws core::InputError naming the file and line.
[[nodiscard]] VantageFlows read_flows_file(const std::filesystem::path& path, std::string name);
// The same from a pcap or pcapng file, through the capture decoder.
[[nodiscard]] VantageFlows read_pcap_file(const std::filesystem::path& path, std::string name);
// probes.jsonl, whole. Throws core::InputError naming the file and line.
[[nodiscard]] std::vector<prober::ProbeRecord> read_probes_file(const std::filesystem::path& path);

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
[[nodiscard]] std::string analysis_report(const Analysis& analysis, const AnalysisInputs& inputs);

}  // namespace tlsprobe::results
