#include "capture/flow_json.hpp"


#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "core/hex.hpp"

namespace tlsprobe::capture {

namespace {

namespace json = boost::json;

template <typename T>
json::value optional_value(const std::optional<T>& v)
{
    if (!v) {
        return nullptr;
    }
    return json::value(*v);
}

json::value mac_value(const std::optional<MacAddress>& mac)
{
    if (!mac) {
        return nullptr;
    }
    return json::value(to_string(*mac));
}

json::array times(std::span<const std::int64_t> values)
{
    json::array out;
    for (const auto t : values) {
        out.emplace_back(t);
    }
    return out;
}

json::array code_list(const std::vector<std::uint16_t>& codes)
{
    json::array out;
    for (const auto c : codes) {
        out.emplace_back(code_point(c));
    }
    return out;
}

json::object mark_json(const PacketMark& mark)
{
    return {{"t_ns", mark.t_ns}, {"ttl", mark.ttl}, {"ip_id", optional_value(mark.ip_id)}, {"src_mac", mac_value(mark.src_mac)}};
}

json::value syn_json(const std::optional<SynRecord>& syn)
{
    if (!syn) {
        return nullptr;
    }
    json::object o = mark_json(syn->first);
    o["isn"] = syn->isn;
    o["tsval"] = optional_value(syn->options.tsval);
    o["tsecr"] = optional_value(syn->options.tsecr);
    o["mss"] = optional_value(syn->options.mss);
    o["window_scale"] = optional_value(syn->options.window_scale);
    o["sack_permitted"] = syn->options.sack_permitted;
    o["retransmissions"] = syn->retransmissions.count;
    o["retransmit_ns"] = times(syn->retransmissions.kept());
    return o;
}

template <typename Hello>
json::object hello_common(const HelloRecord<Hello>& record)
{
    return {{"t_ns", record.t_ns},
            {"rel_seq", record.begin + 1},
            {"length", record.end - record.begin},
            {"retransmissions", record.retransmissions.count},
            {"retransmit_ns", times(record.retransmissions.kept())}};
}

json::value client_hello_json(const FlowTimeline& flow)
{
    if (!flow.client_hello) {
        return nullptr;
    }
    const ClientHello& h = flow.client_hello->hello;
    json::object o = hello_common(*flow.client_hello);
    o["client_random"] = core::to_hex(h.random);
    o["sni"] = h.sni.empty() ? json::value(nullptr) : json::value(h.sni);
    o["legacy_version"] = tls_version_name(h.legacy_version);
    json::array versions;
    for (const auto v : h.supported_versions) {
        versions.emplace_back(tls_version_name(v));
    }
    o["supported_versions"] = std::move(versions);
    o["cipher_suites"] = code_list(h.cipher_suites);
    o["groups"] = code_list(h.groups);
    json::array alpn;
    for (const auto& a : h.alpn) {
        alpn.emplace_back(a);
    }
    o["alpn"] = std::move(alpn);
    o["acked"] = flow.client_hello_acked ? json::value(mark_json(*flow.client_hello_acked)) : json::value(nullptr);
    o["pure_acks"] = flow.client_hello_pure_acks;
    return o;
}

json::value server_hello_json(const FlowTimeline& flow)
{
    if (!flow.server_hello) {
        return nullptr;
    }
    const ServerHello& h = flow.server_hello->hello;
    json::object o = hello_common(*flow.server_hello);
    o["server_random"] = core::to_hex(h.random);
    o["version"] = tls_version_name(h.version());
    o["cipher_suite"] = code_point(h.cipher_suite);
    o["hello_retry_request"] = h.hello_retry_request;
    return o;
}

json::object direction_json(const DirectionRecord& d)
{
    json::array ttls;
    for (const auto t : d.ttls.items()) {
        ttls.emplace_back(t);
    }
    json::array src_macs;
    for (const auto& m : d.src_macs.items()) {
        src_macs.emplace_back(to_string(m));
    }
    json::array dst_macs;
    for (const auto& m : d.dst_macs.items()) {
        dst_macs.emplace_back(to_string(m));
    }
    json::array alerts;
    for (const auto& a : d.alerts) {
        alerts.push_back(json::object{{"t_ns", a.t_ns}, {"level", a.level}, {"description", a.description}});
    }
    json::value error = nullptr;
    if (d.tls_error) {
        error = json::object{{"offset", d.tls_error->offset}, {"field", d.tls_error->field}};
    }
    return {{"packets", d.packets},
            {"payload_bytes", d.payload_bytes},
            {"retransmitted_segments", d.retransmitted_segments},
            {"out_of_order_segments", d.out_of_order_segments},
            {"truncated_packets", d.truncated_packets},
            {"ttls", std::move(ttls)},
            {"ttls_overflow", d.ttls.overflow()},
            {"src_macs", std::move(src_macs)},
            {"dst_macs", std::move(dst_macs)},
            {"macs_overflow", d.src_macs.overflow() || d.dst_macs.overflow()},
            {"tls", d.tls},
            {"not_tls", d.not_tls},
            {"tls_records", d.tls_records},
            {"change_cipher_spec_ns", optional_value(d.change_cipher_spec_ns)},
            {"first_encrypted_ns", optional_value(d.first_encrypted_ns)},
            {"alerts", std::move(alerts)},
            {"tls_error", std::move(error)},
            {"tls_gap", d.tls_gap}};
}

}  // namespace

json::object to_json(const FlowTimeline& flow, std::string_view vantage)
{
    json::array closes;
    for (const auto& c : flow.closes) {
        closes.push_back(json::object{{"kind", c.rst ? "rst" : "fin"},
                                      {"from", to_string(c.from)},
                                      {"t_ns", c.t_ns},
                                      {"rel_seq", c.rel_seq},
                                      {"ttl", c.ttl},
                                      {"src_mac", mac_value(c.src_mac)}});
    }
    const auto first = flow.closed_first();
    return {{"type", "flow"},
            {"vantage", vantage},
            {"flow_id", flow.id},
            {"ip_version", flow.client_ip.version},
            {"client_ip", to_string(flow.client_ip)},
            {"client_port", flow.client_port},
            {"server_ip", to_string(flow.server_ip)},
            {"server_port", flow.server_port},
            {"direction_inferred", flow.direction_inferred},
            {"first_ns", flow.first_ns},
            {"last_ns", flow.last_ns},
            {"end", to_string(flow.end)},
            {"syn", syn_json(flow.syn)},
            {"syn_ack", syn_json(flow.syn_ack)},
            {"handshake_ack_ns", optional_value(flow.handshake_ack_ns)},
            {"client_hello", client_hello_json(flow)},
            {"server_hello", server_hello_json(flow)},
            {"client_to_server", direction_json(flow.client)},
            {"server_to_client", direction_json(flow.server)},
            {"closes", std::move(closes)},
            {"fin_count", flow.fin_count},
            {"rst_count", flow.rst_count},
            {"closed_first", first ? json::value(to_string(*first)) : json::value(nullptr)}};
}

std::string to_json_line(const FlowTimeline& flow, std::string_view vantage)
{
    return json::serialize(to_json(flow, vantage));
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
