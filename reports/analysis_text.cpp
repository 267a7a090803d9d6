#include "reports/analysis_text.hpp"

#include <fmt/format.h>

#include <cstdint>

#include "reports/text_table.hpp"
#include "reports/verdict_examples.hpp"
#include "results/flow_events.hpp"

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

std::string describe_event(const results::FlowEvent& event)
{
    const auto side = event.from_client ? "client" : "server";
    switch (event.kind) {
    case results::FlowEventKind::syn:
        return fmt::format("SYN (ISN {}, TTL {})", event.isn.value_or(0), event.ttl.value_or(0));
    case results::FlowEventKind::syn_ack: return fmt::format("SYN-ACK (TTL {})", event.ttl.value_or(0));
    case results::FlowEventKind::handshake_ack: return "ACK of the SYN-ACK";
    case results::FlowEventKind::client_hello:
        return fmt::format("ClientHello (random {}...)", event.random.substr(0, 16));
    case results::FlowEventKind::client_hello_ack:
        return fmt::format("ACK of the ClientHello ({}), {} pure ACKs", results::ttl_with_hops(event.ttl.value_or(0)),
                           event.pure_acks);
    case results::FlowEventKind::server_hello: return "ServerHello";
    case results::FlowEventKind::change_cipher_spec: return fmt::format("ChangeCipherSpec from the {}", side);
    case results::FlowEventKind::alert:
        return fmt::format("Alert from the {} (level {}, description {})", side, event.alert_level,
                           event.alert_description);
    case results::FlowEventKind::fin:
    case results::FlowEventKind::rst:
        return fmt::format("{} from the {} (relative seq {}, TTL {})",
                           event.kind == results::FlowEventKind::rst ? "RST" : "FIN", side, event.rel_seq.value_or(0),
                           event.ttl.value_or(0));
    }
    return std::string(to_string(event.kind));
}

std::string describe_flow(const results::FlowEvidence& flow, std::int64_t origin_ns)
{
    std::string out = fmt::format("    {} {}:{} -> {}:{}\n", flow.vantage, flow.client_ip, flow.client_port,
                                  flow.server_ip, flow.server_port);
    for (const auto& event : results::key_events(flow)) {
        out += fmt::format("      {:+.3f} ms {}\n", static_cast<double>(event.t_ns - origin_ns) / 1e6,
                           describe_event(event));
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
    for (const auto* example : verdict_examples(analysis)) {
        const auto& record = *example;
        const auto& client = *record.client_flow;
        const std::int64_t origin = example_origin_ns(client);
        const auto sub = results::sub_name(record);
        out += fmt::format("\nExample {}{}{}:\n", to_string(record.verdict), sub.empty() ? "" : " / ", sub);
        out += describe_flow(client, origin);
        if (record.server_flow != nullptr) {
            out += describe_flow(*record.server_flow, origin + example_clock_offset(analysis).median_ns);
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
