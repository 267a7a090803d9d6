#pragma once
// `report.html` of a run: the headline (target, UTC time, scenario, probes,
// health, findings), outcome and verdict tables, failures per hash bucket,
// outcome by source port, phase latency CDFs, failures over time, and per
// failing verdict an example ladder with its Wireshark filter.
#include <boost/json/object.hpp>

#include <filesystem>
#include <optional>
#include <span>
#include <string>

#include "prober/probe_record.hpp"
#include "results/analysis.hpp"

namespace tlsprobe::reports {

struct RunReportInputs {
    // summary.json of the run: target, time, scenario, outcomes, health.
    const boost::json::object* summary = nullptr;
    // probes.jsonl: every record (the pictures aggregate them).
    std::span<const prober::ProbeRecord> probes;
    // The verdicts, when the client side was captured.
    const results::Analysis* analysis = nullptr;
    const results::AnalysisInputs* analysis_inputs = nullptr;
    // buckets.json's form (results::bucket_analysis_json), when a model or a fit exists.
    const boost::json::object* buckets = nullptr;
    // The vantages' pcaps, for the example ladders' packets.
    std::optional<std::filesystem::path> client_pcap;
    std::optional<std::filesystem::path> server_pcap;
    // Where the run lives, shown in the page (the command that re-renders it).
    std::string run_dir;
};

// The whole page. Throws core::InputError naming the summary field that is
// missing or of the wrong type.
[[nodiscard]] std::string run_report_html(const RunReportInputs& inputs);

}  // namespace tlsprobe::reports
