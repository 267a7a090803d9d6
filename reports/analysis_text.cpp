#include "reports/analysis_text.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <set>

#include "reports/text_table.hpp"

namespace tlsprobe::reports {
namespace {

std::string verdict_table(const results::Analysis& analysis)
{
    const auto total = static_cast<double>(analysis.verdicts.size());
    TextTable table({{.header = "verdict", .width = 20, .align = Align::left},
                     {.header = "count", .width = 8},
                     {.header = "share", .width = 8}});
    for (int i = 0; i < results::verdict_count; ++i) {
        if (const auto n = analysis.counts[static_cast<std::size_t>(i)]) {
            table.add_row({std::string(to_string(static_cast<results::Verdict>(i))), std::to_string(n),
                           fmt::format("{:.2f}%", 100.0 * static_cast<double>(n) / total)});
        }
    }
    return table.render();
}

std::string describe_flow(const results::FlowEvidence& flow, std::int64_t origin_ns)
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
        const auto hops = results::estimate_hops(flow.client_hello_acked->ttl);
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

std::string analysis_report(const results::Analysis& analysis, const results::AnalysisInputs& inputs)
{
    std::string out = verdict_table(analysis);
    if (analysis.join && inputs.server && analysis.join->offset.samples != 0) {
        out += fmt::format("\nclock offset server - client: {:.3f} ms (spread {:.3f} ms, {} exact matches)\n",
                           static_cast<double>(analysis.join->offset.median_ns) / 1e6,
                           static_cast<double>(analysis.join->offset.spread_ns) / 1e6, analysis.join->offset.samples);
    }
    out += "\nFindings:\n";
    for (const auto& finding : analysis.findings) {
        out += "  - " + finding + "\n";
    }
    std::set<results::Verdict> shown;
    for (const auto& record : analysis.verdicts) {
        if (record.verdict == results::Verdict::ok || record.verdict == results::Verdict::local_error ||
            shown.contains(record.verdict) || record.client_flow == nullptr) {
            continue;
        }
        shown.insert(record.verdict);
        const auto& client = *record.client_flow;
        const std::int64_t origin = client.syn ? client.syn->packet.t_ns : client.first_ns;
        const auto sub = results::sub_name(record);
        out += fmt::format("\nExample {}{}{}:\n", to_string(record.verdict), sub.empty() ? "" : " / ", sub);
        out += describe_flow(client, origin);
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

}  // namespace tlsprobe::reports
