#include "capture/flow_json.hpp"

#include <boost/json/parse.hpp>

#include <functional>

#include "core/hex.hpp"
#include "core/json_text.hpp"

namespace tlsprobe::capture {

namespace {

namespace json = boost::json;

void mac_value(core::JsonText& out, const std::optional<MacAddress>& mac)
{
    if (mac) {
        out.value(to_string(*mac));
    } else {
        out.value(nullptr);
    }
}

// An array of `items`, each written as `spell(item)` (as it is by default).
template <typename Items, typename Spell = std::identity>
void array(core::JsonText& out, const Items& items, Spell spell = {})
{
    out.begin_array();
    for (const auto& item : items) {
        out.value(spell(item));
    }
    out.end_array();
}

std::string mac_text(const MacAddress& mac)
{
    return to_string(mac);
}

void mark_members(core::JsonText& out, const PacketMark& mark)
{
    out.member("t_ns", mark.t_ns);
    out.member("ttl", mark.ttl);
    out.member("ip_id", mark.ip_id);
    out.key("src_mac");
    mac_value(out, mark.src_mac);
}

void syn_json(core::JsonText& out, const std::optional<SynRecord>& syn)
{
    if (!syn) {
        out.value(nullptr);
        return;
    }
    out.begin_object();
    mark_members(out, syn->first);
    out.member("isn", syn->isn);
    out.member("tsval", syn->options.tsval);
    out.member("tsecr", syn->options.tsecr);
    out.member("mss", syn->options.mss);
    out.member("window_scale", syn->options.window_scale);
    out.member("sack_permitted", syn->options.sack_permitted);
    out.member("retransmissions", syn->retransmissions.count);
    out.key("retransmit_ns");
    array(out, syn->retransmissions.kept());
    out.end_object();
}

template <typename Hello>
void hello_common_members(core::JsonText& out, const HelloRecord<Hello>& record)
{
    out.member("t_ns", record.t_ns);
    out.member("rel_seq", record.begin + 1);
    out.member("length", record.end - record.begin);
    out.member("retransmissions", record.retransmissions.count);
    out.key("retransmit_ns");
    array(out, record.retransmissions.kept());
}

void client_hello_json(core::JsonText& out, const FlowTimeline& flow)
{
    if (!flow.client_hello) {
        out.value(nullptr);
        return;
    }
    const ClientHello& h = flow.client_hello->hello;
    out.begin_object();
    hello_common_members(out, *flow.client_hello);
    out.member("client_random", core::to_hex(h.random));
    out.key("sni");
    if (h.sni.empty()) {
        out.value(nullptr);
    } else {
        out.value(h.sni);
    }
    out.member("legacy_version", tls_version_name(h.legacy_version));
    out.key("supported_versions");
    array(out, h.supported_versions, tls_version_name);
    out.key("cipher_suites");
    array(out, h.cipher_suites, code_point);
    out.key("groups");
    array(out, h.groups, code_point);
    out.key("alpn");
    array(out, h.alpn);
    out.key("acked");
    if (flow.client_hello_acked) {
        out.begin_object();
        mark_members(out, *flow.client_hello_acked);
        out.end_object();
    } else {
        out.value(nullptr);
    }
    out.member("pure_acks", flow.client_hello_pure_acks);
    out.end_object();
}

void server_hello_json(core::JsonText& out, const FlowTimeline& flow)
{
    if (!flow.server_hello) {
        out.value(nullptr);
        return;
    }
    const ServerHello& h = flow.server_hello->hello;
    out.begin_object();
    hello_common_members(out, *flow.server_hello);
    out.member("server_random", core::to_hex(h.random));
    out.member("version", tls_version_name(h.version()));
    out.member("cipher_suite", code_point(h.cipher_suite));
    out.member("hello_retry_request", h.hello_retry_request);
    out.end_object();
}

void direction_json(core::JsonText& out, const DirectionRecord& d)
{
    out.begin_object();
    out.member("packets", d.packets);
    out.member("payload_bytes", d.payload_bytes);
    out.member("retransmitted_segments", d.retransmitted_segments);
    out.member("out_of_order_segments", d.out_of_order_segments);
    out.member("truncated_packets", d.truncated_packets);
    out.key("ttls");
    array(out, d.ttls.items());
    out.member("ttls_overflow", d.ttls.overflow());
    out.key("src_macs");
    array(out, d.src_macs.items(), mac_text);
    out.key("dst_macs");
    array(out, d.dst_macs.items(), mac_text);
    out.member("macs_overflow", d.src_macs.overflow() || d.dst_macs.overflow());
    out.member("tls", d.tls);
    out.member("not_tls", d.not_tls);
    out.member("tls_records", d.tls_records);
    out.member("change_cipher_spec_ns", d.change_cipher_spec_ns);
    out.member("first_encrypted_ns", d.first_encrypted_ns);
    out.key("alerts");
    out.begin_array();
    for (const auto& a : d.alerts) {
        out.begin_object();
        out.member("t_ns", a.t_ns);
        out.member("level", a.level);
        out.member("description", a.description);
        out.end_object();
    }
    out.end_array();
    out.key("tls_error");
    if (d.tls_error) {
        out.begin_object();
        out.member("offset", d.tls_error->offset);
        out.member("field", d.tls_error->field);
        out.end_object();
    } else {
        out.value(nullptr);
    }
    out.member("tls_gap", d.tls_gap);
    out.end_object();
}

}  // namespace

std::string to_json_line(const FlowTimeline& flow, std::string_view vantage)
{
    // A timeline with both hellos is about 2.8 KB.
    core::JsonText out(4096);
    out.begin_object();
    out.member("type", "flow");
    out.member("vantage", vantage);
    out.member("flow_id", flow.id);
    out.member("ip_version", flow.client_ip.version);
    out.member("client_ip", to_string(flow.client_ip));
    out.member("client_port", flow.client_port);
    out.member("server_ip", to_string(flow.server_ip));
    out.member("server_port", flow.server_port);
    out.member("direction_inferred", flow.direction_inferred);
    out.member("first_ns", flow.first_ns);
    out.member("last_ns", flow.last_ns);
    out.member("end", to_string(flow.end));
    out.key("syn");
    syn_json(out, flow.syn);
    out.key("syn_ack");
    syn_json(out, flow.syn_ack);
    out.member("handshake_ack_ns", flow.handshake_ack_ns);
    out.key("client_hello");
    client_hello_json(out, flow);
    out.key("server_hello");
    server_hello_json(out, flow);
    out.key("client_to_server");
    direction_json(out, flow.client);
    out.key("server_to_client");
    direction_json(out, flow.server);
    out.key("closes");
    out.begin_array();
    for (const auto& c : flow.closes) {
        out.begin_object();
        out.member("kind", c.rst ? "rst" : "fin");
        out.member("from", to_string(c.from));
        out.member("t_ns", c.t_ns);
        out.member("rel_seq", c.rel_seq);
        out.member("ttl", c.ttl);
        out.key("src_mac");
        mac_value(out, c.src_mac);
        out.end_object();
    }
    out.end_array();
    out.member("fin_count", flow.fin_count);
    out.member("rst_count", flow.rst_count);
    out.key("closed_first");
    const auto first = flow.closed_first();
    if (first) {
        out.value(to_string(*first));
    } else {
        out.value(nullptr);
    }
    out.end_object();
    return std::move(out).text();
}

json::object to_json(const FlowTimeline& flow, std::string_view vantage)
{
    return json::parse(to_json_line(flow, vantage)).as_object();
}

json::object to_json(const CaptureSummary& summary, const FramePipeline& pipeline)
{
    const DecodeCounters& decode = pipeline.decode_counters();
    json::object reasons;
    std::uint64_t errors = 0;
    for (std::size_t i = 0; i < decode_reason_count; ++i) {
        const auto reason = static_cast<DecodeReason>(i);
        reasons[to_string(reason)] = decode[reason];
        if (is_error(reason)) {
            errors += decode[reason];
        }
    }
    json::value first_problem = nullptr;
    if (const auto& p = pipeline.first_problem()) {
        first_problem = json::object{{"frame", p->frame},
                                     {"reason", to_string(p->result.reason)},
                                     {"offset", p->result.offset},
                                     {"field", p->result.field}};
    }
    const FlowTableCounters& flows = pipeline.table().counters();
    json::object ended;
    for (std::size_t i = 0; i < flow_end_count; ++i) {
        ended[to_string(static_cast<FlowEnd>(i))] = flows.ended[i];
    }
    json::value kernel = nullptr;
    if (summary.kernel) {
        kernel = json::object{{"received", summary.kernel->received},
                              {"dropped", summary.kernel->dropped},
                              {"interface_dropped", summary.kernel->interface_dropped}};
    }
    return {{"type", "capture_summary"},
            {"vantage", summary.vantage},
            {"source_kind", summary.source_kind},
            {"source", summary.source},
            {"link_type", to_string(pipeline.link())},
            {"frames", pipeline.frames()},
            {"bytes", pipeline.bytes()},
            {"tcp_packets", flows.packets},
            {"decode_errors", errors},
            {"decode", std::move(reasons)},
            {"first_decode_error", std::move(first_problem)},
            {"flows", flows.flows_created},
            {"flows_ended", std::move(ended)},
            {"kernel", std::move(kernel)},
            {"lossless", summary.kernel ? json::value(summary.kernel->dropped == 0 && summary.kernel->interface_dropped == 0)
                                        : json::value(nullptr)},
            {"input_error", summary.input_error ? json::value(*summary.input_error) : json::value(nullptr)},
            {"stop_reason", summary.stop_reason},
            {"privileges", summary.privileges}};
}

}  // namespace tlsprobe::capture
