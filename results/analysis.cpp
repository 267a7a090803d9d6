#include "results/analysis.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <unordered_map>

#include "capture/capture_file.hpp"
#include "capture/flow_json.hpp"
#include "core/errors.hpp"
#include "core/atomic_file.hpp"

namespace tlsprobe::results {
namespace {

namespace json = boost::json;

json::object parse_line(const std::string& line, const std::filesystem::path& path, int number)
{
    boost::system::error_code ec;
    auto value = json::parse(line, ec);
    if (ec || !value.is_object()) {
        throw core::InputError(fmt::format("{}:{}: not a JSON object", path.string(), number));
    }
    return std::move(value.as_object());
}

template <typename Handle>
void for_each_line(const std::filesystem::path& path, Handle handle)
{
    std::ifstream in(path);
    if (!in) {
        throw core::InputError("cannot read " + path.string());
    }
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        if (line.empty()) {
            continue;
        }
        auto object = parse_line(line, path, number);
        try {
            handle(object);
        } catch (const core::InputError& error) {
            throw core::InputError(fmt::format("{}:{}: {}", path.string(), number, error.what()));
        }
    }
}

void take_summary(VantageFlows& vantage, const json::object& summary)
{
    if (const auto* kernel = summary.if_contains("kernel"); kernel != nullptr && kernel->is_object()) {
        vantage.kernel_dropped = kernel->as_object().at("dropped").to_number<std::uint64_t>() +
                                 kernel->as_object().at("interface_dropped").to_number<std::uint64_t>();
    }
    if (const auto* error = summary.if_contains("input_error"); error != nullptr && error->is_string()) {
        vantage.input_error = std::string(error->as_string());
    }
}

// Which client flow each probe is: the ClientHello random first (exact),
// then the 4-tuple, taking the tuple's flows in time order for re-probes.
std::vector<const FlowEvidence*> match_probes(const std::vector<prober::ProbeRecord>& probes, const VantageFlows& client,
                                              std::size_t& flows_without_probe)
{
    std::unordered_map<std::string, std::size_t> by_random;
    std::map<std::tuple<std::uint16_t, std::string, std::uint16_t>, std::vector<std::size_t>> by_tuple;
    for (std::size_t i = 0; i < client.flows.size(); ++i) {
        const auto& flow = client.flows[i];
        if (flow.client_hello) {
            by_random.emplace(flow.client_hello->random, i);
        }
        by_tuple[{flow.client_port, flow.server_ip, flow.server_port}].push_back(i);
    }
    for (auto& [tuple, flows] : by_tuple) {
        std::sort(flows.begin(), flows.end(), [&](std::size_t a, std::size_t b) {
            return client.flows[a].first_ns < client.flows[b].first_ns;
        });
    }
    std::vector<bool> used(client.flows.size(), false);
    std::vector<const FlowEvidence*> matched(probes.size(), nullptr);
    for (std::size_t p = 0; p < probes.size(); ++p) {
        if (const auto found = by_random.find(probes[p].client_random);
            !probes[p].client_random.empty() && found != by_random.end() && !used[found->second]) {
            matched[p] = &client.flows[found->second];
            used[found->second] = true;
        }
    }
    std::vector<std::size_t> order(probes.size());
    for (std::size_t p = 0; p < probes.size(); ++p) {
        order[p] = p;
    }
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return probes[a].probe_id < probes[b].probe_id; });
    for (const auto p : order) {
        if (matched[p] != nullptr || probes[p].outcome == prober::Outcome::local_error) {
            continue;
        }
        const auto found = by_tuple.find({probes[p].src_port, probes[p].dst_ip, probes[p].dst_port});
        if (found == by_tuple.end()) {
            continue;
        }
        for (const auto i : found->second) {
            if (!used[i]) {
                matched[p] = &client.flows[i];
                used[i] = true;
                break;
            }
        }
    }
    flows_without_probe = static_cast<std::size_t>(std::count(used.begin(), used.end(), false));
    return matched;
}

std::string display_filter(const std::vector<const VerdictRecord*>& records)
{
    std::map<std::string, std::set<std::uint16_t>> ports_by_address;
    for (const auto* record : records) {
        ports_by_address[record->client_ip].insert(record->client_port);
    }
    std::string filter;
    for (const auto& [address, ports] : ports_by_address) {
        std::string list;
        for (const auto port : ports) {
            list += (list.empty() ? "" : ", ") + std::to_string(port);
        }
        const bool v6 = address.find(':') != std::string::npos;
        filter += fmt::format("{}({}.addr == {} && tcp.port in {{{}}})", filter.empty() ? "" : " || ",
                              v6 ? "ipv6" : "ip", address, list);
    }
    return filter;
}

template <typename Key>
std::string most_common(const std::vector<const VerdictRecord*>& records, Key key)
{
    std::map<std::string, int> counts;
    for (const auto* record : records) {
        if (auto value = key(*record); !value.empty()) {
            ++counts[value];
        }
    }
    std::string best;
    int best_count = 0;
    for (const auto& [value, count] : counts) {
        if (count > best_count) {
            best = value;
            best_count = count;
        }
    }
    return best;
}

void write_findings(Analysis& analysis, std::uint64_t total)
{
    std::map<Verdict, std::vector<const VerdictRecord*>> by_verdict;
    for (const auto& record : analysis.verdicts) {
        by_verdict[record.verdict].push_back(&record);
    }
    const auto count = [&](Verdict v) { return by_verdict[v].size(); };
    const auto acked = [&](const std::vector<const VerdictRecord*>& records) {
        std::vector<const VerdictRecord*> out;
        std::copy_if(records.begin(), records.end(), std::back_inserter(out),
                     [](const VerdictRecord* r) { return r->ack_ttl.has_value(); });
        return out;
    };
    const auto ack_words = [&](const std::vector<const VerdictRecord*>& records) {
        const auto ttl = most_common(records, [](const VerdictRecord& r) { return std::to_string(*r.ack_ttl); });
        const auto hops = estimate_hops(static_cast<std::uint8_t>(std::stoi(ttl)));
        const auto server_ttl = most_common(records, [](const VerdictRecord& r) {
            return r.server_sent_ttl ? std::to_string(*r.server_sent_ttl) : std::string{};
        });
        const auto synack_ttl = most_common(records, [](const VerdictRecord& r) {
            return r.synack_ttl_at_client ? std::to_string(*r.synack_ttl_at_client) : std::string{};
        });
        if (server_ttl.empty() && synack_ttl == ttl) {
            return fmt::format("ACKed with the SYN-ACK's TTL ({}, {} hop{} away): most likely by the server itself", ttl,
                               hops.hops, hops.hops == 1 ? "" : "s");
        }
        std::string words = fmt::format("ACKed by a device {} hop{} from the client (TTL {}", hops.hops,
                                        hops.hops == 1 ? "" : "s", ttl);
        if (!server_ttl.empty()) {
            words += fmt::format("; the server sends with {}", server_ttl);
        } else if (!synack_ttl.empty()) {
            words += fmt::format("; the SYN-ACK came with {}", synack_ttl);
        }
        return words + ")";
    };
    if (const auto n = count(Verdict::client_hello_lost)) {
        const auto with_ack = acked(by_verdict[Verdict::client_hello_lost]);
        std::string sentence = fmt::format("{} of {} ClientHellos never reached the server", n, total);
        if (with_ack.size() == n) {
            sentence += "; each was " + ack_words(with_ack);
        } else if (!with_ack.empty()) {
            sentence += fmt::format("; {} were {}, {} were never ACKed", with_ack.size(), ack_words(with_ack),
                                    n - with_ack.size());
        } else {
            sentence += "; none was ACKed";
        }
        analysis.findings.push_back(sentence + ".");
    }
    if (const auto n = count(Verdict::server_silence)) {
        analysis.findings.push_back(
            fmt::format("{} of {} ClientHellos reached the server, which never answered with a ServerHello.", n, total));
    }
    if (const auto n = count(Verdict::server_hello_lost)) {
        analysis.findings.push_back(fmt::format("{} ServerHellos left the server and never reached the client.", n));
    }
    if (const auto n = count(Verdict::syn_lost)) {
        analysis.findings.push_back(fmt::format("{} of {} SYNs never reached the server.", n, total));
    }
    if (const auto n = count(Verdict::synack_lost)) {
        analysis.findings.push_back(fmt::format("{} SYN-ACKs left the server and never reached the client.", n));
    }
    if (const auto n = count(Verdict::midstream_reset)) {
        std::map<ResetOriginator, int> by;
        for (const auto* record : by_verdict[Verdict::midstream_reset]) {
            ++by[record->reset_by];
        }
        analysis.findings.push_back(fmt::format(
            "{} connections were reset after the TCP handshake: {} by the server, {} by the client, {} injected by the "
            "path (the client saw a RST the server never sent){}.",
            n, by[ResetOriginator::server], by[ResetOriginator::client], by[ResetOriginator::injected],
            by[ResetOriginator::not_known] != 0
                ? fmt::format(", {} by the server or the path (no server capture)", by[ResetOriginator::not_known])
                : std::string{}));
    }
    std::vector<const VerdictRecord*> no_server_hello;
    for (const auto* record : by_verdict[Verdict::unknown]) {
        if (record->sub.starts_with("no_server_hello")) {
            no_server_hello.push_back(record);
        }
    }
    if (!no_server_hello.empty()) {
        const auto with_ack = acked(no_server_hello);
        std::string sentence = fmt::format(
            "{} of {} ClientHellos got no ServerHello; without a server capture a lost ClientHello cannot be told "
            "from a silent server",
            no_server_hello.size(), total);
        if (!with_ack.empty()) {
            sentence += fmt::format(", but {} were {}", with_ack.size(), ack_words(with_ack));
        }
        analysis.findings.push_back(sentence + ".");
    }
    if (analysis.path_split != 0) {
        analysis.findings.push_back(fmt::format(
            "{} flows were seen with more than one source MAC or TTL at one vantage: packets of one flow took different "
            "paths.",
            analysis.path_split));
    }
    if (analysis.middlebox != 0) {
        std::map<std::string, int> reasons;
        for (const auto& record : analysis.verdicts) {
            for (const auto& reason : record.middlebox_evidence) {
                ++reasons[reason];
            }
        }
        std::string list;
        for (const auto& [reason, n] : reasons) {
            list += fmt::format("{}{} {}", list.empty() ? "" : ", ", n, reason == "ttl"             ? "by TTL"
                                                                       : reason == "isn"           ? "by rewritten ISN"
                                                                       : reason == "ports"         ? "by rewritten address or port"
                                                                                                   : "by rewritten client random");
        }
        const bool tls_terminating = reasons.contains("client_random");
        analysis.findings.push_back(fmt::format("{} flows show a middlebox ({}){}.", analysis.middlebox, list,
                                                tls_terminating ? "; a rewritten client random means it terminates TLS"
                                                : reasons.contains("isn") ? "; it terminates TCP"
                                                                          : ""));
    }
    if (analysis.uncertain != 0) {
        analysis.findings.push_back(fmt::format(
            "{} verdicts rely on a capture whose kernel reported dropped packets; they are marked uncertain.",
            analysis.uncertain));
    }
    if (analysis.findings.empty()) {
        analysis.findings.push_back(fmt::format("All {} connections completed; nothing was lost on the path.", total));
    }
    for (const auto& [verdict, records] : by_verdict) {
        if (verdict != Verdict::ok && verdict != Verdict::local_error) {
            analysis.filters[verdict] = display_filter(records);
        }
    }
}

std::string describe_flow(const FlowEvidence& flow, std::int64_t origin_ns)
{
    const auto at = [&](std::int64_t t) { return fmt::format("{:+.3f} ms", static_cast<double>(t - origin_ns) / 1e6); };
    std::string out = fmt::format("    {} {}:{} -> {}:{}\n", flow.vantage, flow.client_ip, flow.client_port,
                                  flow.server_ip, flow.server_port);
    if (flow.syn) {
        out += fmt::format("      {} SYN (ISN {}, TTL {})\n", at(flow.syn->packet.t_ns), flow.syn->isn, flow.syn->packet.ttl);
    }
    if (flow.syn_ack) {
        out += fmt::format("      {} SYN-ACK (TTL {})\n", at(flow.syn_ack->packet.t_ns), flow.syn_ack->packet.ttl);
    }
    if (flow.client_hello) {
        out += fmt::format("      {} ClientHello (random {}...)\n", at(flow.client_hello->t_ns),
                           flow.client_hello->random.substr(0, 16));
    }
    if (flow.client_hello_acked) {
        const auto hops = estimate_hops(flow.client_hello_acked->ttl);
        out += fmt::format("      {} ACK of the ClientHello (TTL {}: {} hops from a sender starting at {}), {} pure ACKs\n",
                           at(flow.client_hello_acked->t_ns), flow.client_hello_acked->ttl, hops.hops,
                           hops.initial_ttl, flow.client_hello_pure_acks);
    }
    if (flow.server_hello) {
        out += fmt::format("      {} ServerHello\n", at(flow.server_hello->t_ns));
    }
    for (const auto& close : flow.closes) {
        out += fmt::format("      {} {} from the {} (relative seq {}, TTL {})\n", at(close.t_ns), close.rst ? "RST" : "FIN",
                           close.from_client ? "client" : "server", close.rel_seq, close.ttl);
    }
    return out;
}

}  // namespace

VantageFlows read_flows_file(const std::filesystem::path& path, std::string name)
{
    VantageFlows vantage{.name = std::move(name), .source = path.string(), .flows = {}, .kernel_dropped = {}, .input_error = {}};
    for_each_line(path, [&](const json::object& object) {
        const auto* type = object.if_contains("type");
        const std::string_view kind = type != nullptr && type->is_string() ? std::string_view(type->as_string()) : "";
        if (kind == "capture_summary") {
            take_summary(vantage, object);
        } else if (kind == "flow") {
            vantage.flows.push_back(flow_evidence_from_json(object));
        } else if (kind != "capture_ready") {
            throw core::InputError("a line of type \"" + std::string(kind) + "\" is not a flow timeline");
        }
    });
    return vantage;
}

VantageFlows read_pcap_file(const std::filesystem::path& path, std::string name)
{
    VantageFlows vantage{.name = name, .source = path.string(), .flows = {}, .kernel_dropped = {}, .input_error = {}};
    capture::FileOptions options;
    options.path = path;
    options.vantage = name;
    const auto summary = capture::read_capture_file(
        options, [&](const capture::FlowTimeline& flow) {
            vantage.flows.push_back(flow_evidence_from_json(capture::to_json(flow, name)));
        },
        [](const capture::CaptureSummary&, const capture::FramePipeline&) {});
    vantage.input_error = summary.input_error;
    return vantage;
}

std::vector<prober::ProbeRecord> read_probes_file(const std::filesystem::path& path)
{
    std::vector<prober::ProbeRecord> probes;
    for_each_line(path, [&](const json::object& object) { probes.push_back(prober::probe_record_from_json(object)); });
    return probes;
}

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
        const auto matched = match_probes(*inputs.probes, client, analysis.client_flows_without_probe);
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
    write_findings(analysis, analysis.verdicts.size());
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

std::string analysis_report(const Analysis& analysis, const AnalysisInputs& inputs)
{
    const auto total = static_cast<double>(analysis.verdicts.size());
    std::string out = fmt::format("{:<20} {:>8} {:>8}\n", "verdict", "count", "share");
    for (int i = 0; i < verdict_count; ++i) {
        if (const auto n = analysis.counts[static_cast<std::size_t>(i)]) {
            out += fmt::format("{:<20} {:>8} {:>7.2f}%\n", to_string(static_cast<Verdict>(i)), n,
                               100.0 * static_cast<double>(n) / total);
        }
    }
    if (analysis.join && inputs.server && analysis.join->offset.samples != 0) {
        out += fmt::format("\nclock offset server - client: {:.3f} ms (spread {:.3f} ms, {} exact matches)\n",
                           static_cast<double>(analysis.join->offset.median_ns) / 1e6,
                           static_cast<double>(analysis.join->offset.spread_ns) / 1e6, analysis.join->offset.samples);
    }
    out += "\nFindings:\n";
    for (const auto& finding : analysis.findings) {
        out += "  - " + finding + "\n";
    }
    std::set<Verdict> shown;
    for (const auto& record : analysis.verdicts) {
        if (record.verdict == Verdict::ok || record.verdict == Verdict::local_error || shown.contains(record.verdict) ||
            record.client_flow == nullptr) {
            continue;
        }
        shown.insert(record.verdict);
        const std::int64_t origin = record.client_flow->syn ? record.client_flow->syn->packet.t_ns : record.client_flow->first_ns;
        out += fmt::format("\nExample {}{}{}:\n", to_string(record.verdict), record.sub.empty() ? "" : " / ",
                           record.sub);
        out += describe_flow(*record.client_flow, origin);
        if (record.server_flow != nullptr) {
            const auto offset = analysis.join ? analysis.join->offset.median_ns : 0;
            out += describe_flow(*record.server_flow, origin + offset);
            out += fmt::format("      (server times shifted by the clock offset; joined by {})\n",
                               to_string(*record.joined_by));
        } else if (inputs.server) {
            out += "    server: no flow of this connection in the server capture\n";
        }
        out += fmt::format("    Wireshark: {}\n", analysis.filters.at(record.verdict));
    }
    return out;
}

}  // namespace tlsprobe::results
