#include "results/analysis.hpp"

#include <boost/json.hpp>

#include <tuple>
#include <utility>

#include "core/atomic_file.hpp"
#include "results/probe_matching.hpp"
#include "results/verdict_findings.hpp"
#include "results/wireshark_filters.hpp"

namespace tlsprobe::results {

namespace json = boost::json;

Analysis analyze(const AnalysisInputs& inputs)
{
    Analysis analysis;
    static const VantageFlows no_flows;
    const VantageFlows& client = inputs.client ? *inputs.client : no_flows;
    const VantageFlows& server = inputs.server ? *inputs.server : no_flows;
    analysis.join = join_flows(client.flows, server.flows);
    const auto server_of = [&](const FlowEvidence* flow) -> std::pair<const FlowEvidence*, std::optional<JoinKey>> {
        if (flow == nullptr) {
            return {nullptr, std::nullopt};
        }
        const auto index = static_cast<std::size_t>(flow - client.flows.data());
        if (const auto& joined = analysis.join->server_of_client[index]) {
            return {&server.flows[joined->server], joined->key};
        }
        return {nullptr, std::nullopt};
    };
    VerdictInputs base{
        .probe = nullptr,
        .client = nullptr,
        .server = nullptr,
        .joined_by = std::nullopt,
        .client_capture = inputs.client.has_value(),
        .server_capture = inputs.server.has_value(),
        .client_capture_lossy = client.lossy(),
        .server_capture_lossy = server.lossy(),
    };
    if (inputs.probes) {
        const auto match = match_probes(*inputs.probes, client);
        const auto& matched = match.flow_of_probe;
        analysis.client_flows_without_probe = match.flows_without_probe;
        for (std::size_t p = 0; p < inputs.probes->size(); ++p) {
            auto in = base;
            in.probe = &(*inputs.probes)[p];
            in.client = matched[p];
            std::tie(in.server, in.joined_by) = server_of(matched[p]);
            if (matched[p] == nullptr && inputs.client) {
                ++analysis.probes_without_client_flow;
            }
            analysis.verdicts.push_back(decide(in));
        }
    } else {
        for (const auto& flow : client.flows) {
            auto in = base;
            in.client = &flow;
            std::tie(in.server, in.joined_by) = server_of(&flow);
            analysis.verdicts.push_back(decide(in));
        }
    }
    for (const auto& record : analysis.verdicts) {
        ++analysis.counts[static_cast<std::size_t>(record.verdict)];
        analysis.path_split += record.path_split;
        analysis.middlebox += record.middlebox;
        analysis.uncertain += record.uncertain;
    }
    analysis.findings = verdict_findings(analysis);
    analysis.filters = wireshark_filters(analysis.verdicts);
    return analysis;
}

json::object analysis_json(const Analysis& analysis, const AnalysisInputs& inputs)
{
    json::object counts;
    for (int i = 0; i < verdict_count; ++i) {
        counts[to_string(static_cast<Verdict>(i))] = analysis.counts[static_cast<std::size_t>(i)];
    }
    json::array findings;
    for (const auto& finding : analysis.findings) {
        findings.emplace_back(finding);
    }
    json::object filters;
    for (const auto& [verdict, filter] : analysis.filters) {
        filters[to_string(verdict)] = filter;
    }
    json::object vantages;
    for (const auto* vantage : {inputs.client ? &*inputs.client : nullptr, inputs.server ? &*inputs.server : nullptr}) {
        if (vantage != nullptr) {
            vantages[vantage->name] = json::object{
                {"source", vantage->source},
                {"flows", vantage->flows.size()},
                {"kernel_dropped", vantage->kernel_dropped ? json::value(*vantage->kernel_dropped) : json::value(nullptr)},
                {"input_error", vantage->input_error ? json::value(*vantage->input_error) : json::value(nullptr)},
            };
        }
    }
    json::object join;
    if (analysis.join && inputs.server) {
        std::map<std::string, std::uint64_t> keys;
        std::uint64_t unjoined = 0;
        for (const auto& joined : analysis.join->server_of_client) {
            joined ? ++keys[std::string(to_string(joined->key))] : ++unjoined;
        }
        for (const auto& [key, n] : keys) {
            join[key] = n;
        }
        join["client_flows_unjoined"] = unjoined;
        join["server_flows_unjoined"] = analysis.join->unjoined_server.size();
        join["clock_offset_ns"] = analysis.join->offset.median_ns;
        join["clock_offset_spread_ns"] = analysis.join->offset.spread_ns;
        join["clock_offset_samples"] = analysis.join->offset.samples;
    }
    return {
        {"verdicts", analysis.verdicts.size()},
        {"counts", std::move(counts)},
        {"path_split", analysis.path_split},
        {"middlebox", analysis.middlebox},
        {"uncertain", analysis.uncertain},
        {"probes_without_client_flow", analysis.probes_without_client_flow},
        {"client_flows_without_probe", analysis.client_flows_without_probe},
        {"vantages", std::move(vantages)},
        {"join", std::move(join)},
        {"findings", std::move(findings)},
        {"wireshark_filters", std::move(filters)},
    };
}

void write_analysis(const Analysis& analysis, const AnalysisInputs& inputs, const std::filesystem::path& dir)
{
    std::string lines;
    for (const auto& record : analysis.verdicts) {
        lines += json::serialize(to_json(record)) + "\n";
    }
    core::write_file_atomically(dir / "verdicts.jsonl", lines);
    core::write_file_atomically(dir / "analysis.json", json::serialize(analysis_json(analysis, inputs)) + "\n");
}

}  // namespace tlsprobe::results
