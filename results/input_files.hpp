#pragma once
// The files an analysis reads: probes.jsonl, and each vantage's flows as
// flows.jsonl or as a pcap / pcapng file.
#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "prober/probe_record.hpp"
#include "results/flow_evidence.hpp"
#include "results/verdict.hpp"

namespace tlsprobe::results {

// The timelines of one vantage and whether its capture lost packets.
struct VantageFlows {
    std::string name;
    std::string source;                 // file it came from
    std::vector<FlowEvidence> flows;
    std::optional<std::uint64_t> kernel_dropped;   // empty: not a live capture (or not reported)
    std::optional<std::string> input_error;        // a truncated capture file
    // The agent ended the file with its capture_summary: it saw the whole run.
    // A flows file without one was cut short (the agent was killed).
    bool summarised = false;
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
// verdicts.jsonl as `analyze` and `run --capture` write it (whole, at
// once), counted per verdict. Throws core::InputError naming the file and
// line of a line without a known verdict, or of a cut last line.
[[nodiscard]] std::array<std::uint64_t, verdict_count> read_verdict_counts(const std::filesystem::path& path);

}  // namespace tlsprobe::results
