#include "capture/flow_builder.hpp"

#include <cstddef>
#include <utility>

#include "capture/sequence.hpp"
#include "capture/tls_event_recorder.hpp"

namespace tlsprobe::capture {
namespace {

constexpr std::size_t max_close_events = 16;
constexpr std::size_t max_logged_segments = 64;

// Ports that name the server side when no SYN shows who connected to whom.
bool well_known_server_port(std::uint16_t port)
{
    return port < 1024 || port == 8443 || port == 4433 || port == 8080;
}

PacketMark mark_of(const TcpPacket& p)
{
    return {p.t_ns, p.ttl, p.ip_id, p.src_mac};
}

template <typename Record>
void note_hello_retransmission(std::optional<Record>& record, std::uint64_t begin, std::uint64_t end,
                               std::int64_t t_ns)
{
    if (record && record->begin < end && begin < record->end) {
        record->retransmissions.add(t_ns);
    }
}

void record_syn(std::optional<SynRecord>& syn, const TcpPacket& p)
{
    if (!syn) {
        syn.emplace();
        syn->first = mark_of(p);
        syn->isn = p.seq;
        syn->options = p.options;
    } else if (syn->isn == p.seq) {
        syn->retransmissions.add(p.t_ns);
    }
}

void swap_direction(Flow& flow)
{
    flow.reverse_direction = false;
    FlowTimeline& t = flow.timeline;
    std::swap(t.client_ip, t.server_ip);
    std::swap(t.client_port, t.server_port);
    std::swap(t.client, t.server);
    std::swap(flow.sides[0], flow.sides[1]);
    for (auto& c : t.closes) {
        c.from = other(c.from);
    }
}

void add_payload(Flow& flow, Side side, const TcpPacket& p)
{
    DirectionState& state = flow.state(side);
    DirectionRecord& record = flow.timeline.direction(side);
    // A SYN's sequence number is the ISN; its data (TCP Fast Open) starts one later.
    const std::uint32_t data_seq = p.seq + (p.has(tcp_flag::syn) ? 1U : 0U);
    const std::uint32_t offset = data_seq - state.base - 1U;
    const SegmentKind kind = state.sequence.classify(offset, offset + p.payload_length);
    const bool retransmission = kind == SegmentKind::retransmission;
    if (retransmission) {
        ++record.retransmitted_segments;
    } else if (kind == SegmentKind::out_of_order) {
        ++record.out_of_order_segments;
    }
    // A hello already parsed gets the retransmission now; one still being
    // reassembled finds it in the segment log when it is parsed.
    if (retransmission) {
        const std::uint64_t end = std::uint64_t{offset} + p.payload_length;
        if (side == Side::client) {
            note_hello_retransmission(flow.timeline.client_hello, offset, end, p.t_ns);
        } else {
            note_hello_retransmission(flow.timeline.server_hello, offset, end, p.t_ns);
        }
    }
    // Nothing left to parse, or data from before the point the stream was picked up.
    if (state.tls.finished() || static_cast<std::int32_t>(offset) < 0) {
        return;
    }
    if (state.segments.size() < max_logged_segments) {
        state.segments.push_back({offset, p.payload_length, p.t_ns, retransmission});
    }
    TlsEventRecorder recorder(flow, side, p.t_ns);
    state.reassembler.add(offset, p.payload, [&](std::span<const std::byte> bytes) {
        state.tls.feed(bytes, recorder);
    });
    if (p.truncated) {
        state.reassembler.note_loss();
    }
    record.tls_records = state.tls.records();
    record.tls = record.tls_records > 0;
    if (state.tls.finished()) {
        state.reassembler.stop();
        state.segments.clear();
        state.segments.shrink_to_fit();
    }
    if (flow.reverse_direction) {
        swap_direction(flow);
    }
}

Side sender(const FlowTimeline& t, const TcpPacket& p)
{
    return p.src == t.client_ip && p.src_port == t.client_port ? Side::client : Side::server;
}

void note_ack(Flow& flow, const TcpPacket& p)
{
    auto& t = flow.timeline;
    const DirectionState& client = flow.state(Side::client);
    if (!t.client_hello || !client.base_known) {
        return;
    }
    // Relative sequence number just past the ClientHello's last byte.
    const std::uint32_t needed = static_cast<std::uint32_t>(t.client_hello->end) + 1U;
    const std::uint32_t acked = p.ack - client.base;
    if (seq_before(acked, needed)) {
        return;
    }
    if (!t.client_hello_acked) {
        t.client_hello_acked = mark_of(p);
    }
    const bool pure = p.payload_length == 0 && !p.has(tcp_flag::syn) && !p.has(tcp_flag::fin) && !p.has(tcp_flag::rst);
    if (pure && acked == needed) {
        ++t.client_hello_pure_acks;
    }
}

// Returns true when the packet closed the connection (both FINs, or a RST).
bool note_close(Flow& flow, Side side, const TcpPacket& p)
{
    const bool rst = p.has(tcp_flag::rst);
    auto& t = flow.timeline;
    DirectionState& state = flow.state(side);
    if (rst) {
        ++t.rst_count;
    } else {
        ++t.fin_count;
        state.fin = true;
    }
    if (t.closes.size() < max_close_events) {
        t.closes.push_back({rst, side, p.t_ns, p.seq - state.base, p.ttl, p.src_mac});
    }
    return rst || (flow.state(Side::client).fin && flow.state(Side::server).fin);
}

}  // namespace

void start_timeline(FlowTimeline& t, const TcpPacket& p)
{
    bool src_is_client = true;
    if (p.has(tcp_flag::syn)) {
        src_is_client = !p.has(tcp_flag::ack);
    } else {
        t.direction_inferred = true;
        const bool src_server = well_known_server_port(p.src_port);
        const bool dst_server = well_known_server_port(p.dst_port);
        src_is_client = src_server == dst_server ? p.src_port > p.dst_port : dst_server;
    }
    t.client_ip = src_is_client ? p.src : p.dst;
    t.client_port = src_is_client ? p.src_port : p.dst_port;
    t.server_ip = src_is_client ? p.dst : p.src;
    t.server_port = src_is_client ? p.dst_port : p.src_port;
}

bool add_packet(Flow& flow, const TcpPacket& p)
{
    FlowTimeline& t = flow.timeline;
    Side side = sender(t, p);
    DirectionState& state = flow.state(side);
    DirectionRecord& record = t.direction(side);
    t.last_ns = p.t_ns;
    ++record.packets;
    record.payload_bytes += p.payload_length;
    record.ttls.insert(p.ttl);
    if (p.src_mac) {
        record.src_macs.insert(*p.src_mac);
    }
    if (p.dst_mac) {
        record.dst_macs.insert(*p.dst_mac);
    }
    if (p.truncated) {
        ++record.truncated_packets;
    }

    if (p.has(tcp_flag::syn)) {
        if (side == Side::client && !p.has(tcp_flag::ack)) {
            record_syn(t.syn, p);
        } else if (side == Side::server && p.has(tcp_flag::ack)) {
            record_syn(t.syn_ack, p);
        }
        if (!state.base_known) {
            state.base_known = true;
            state.base = p.seq;
        }
    } else if (!state.base_known) {
        // Picked up mid-stream: number from this packet, as if the ISN were just before it.
        state.base_known = true;
        state.base = p.seq - 1U;
    }

    if (side == Side::client && p.has(tcp_flag::ack) && !p.has(tcp_flag::syn) && t.syn_ack && !t.handshake_ack_ns &&
        p.ack == t.syn_ack->isn + 1U) {
        t.handshake_ack_ns = p.t_ns;
    }
    if (p.payload_length > 0) {
        add_payload(flow, side, p);
        // A hello may have shown that a guessed direction was backwards.
        side = sender(t, p);
    }
    if (side == Side::server && p.has(tcp_flag::ack)) {
        note_ack(flow, p);
    }
    return (p.has(tcp_flag::fin) || p.has(tcp_flag::rst)) && note_close(flow, side, p);
}

void finalize(Flow& flow, FlowEnd reason)
{
    flow.timeline.end = reason;
    for (Side side : {Side::client, Side::server}) {
        const DirectionState& state = flow.state(side);
        flow.timeline.direction(side).tls_gap = !state.tls.finished() && state.reassembler.gap();
    }
}


}  // namespace tlsprobe::capture
