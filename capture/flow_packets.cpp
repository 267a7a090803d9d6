#include "capture/flow_packets.hpp"

#include <fmt/format.h>

#include <array>

#include "capture/byte_reader.hpp"
#include "capture/decoder.hpp"
#include "capture/pcap_handle.hpp"

namespace tlsprobe::capture {
namespace {

// A microsecond-precision pcap dates a packet up to 999 ns before the
// nanosecond time a timeline of the same capture kept.
constexpr std::int64_t window_slack_ns = 1000;

struct RecordStart {
    TlsStart kind = TlsStart::none;
    std::optional<std::uint16_t> length;
};

// RFC 8446 5.1: type(1) legacy_record_version(2) length(2), a record at most
// 2^14 + 2048 bytes; the version's first byte is 3 for every TLS and SSL 3.
RecordStart record_start(std::span<const std::byte> payload, bool after_change_cipher_spec)
{
    ByteReader reader(payload);
    const auto type = reader.u8();
    const auto major = reader.u8();
    const auto minor = reader.u8();
    const auto length = reader.u16();
    if (!type || !major || !minor || !length || *major != 3 || *minor > 4 || *length > (1U << 14U) + 2048U) {
        return {};
    }
    switch (*type) {
    case 20: return {TlsStart::change_cipher_spec, length};
    case 21: return {TlsStart::alert, length};
    case 23: return {TlsStart::application_data, length};
    case 22: break;
    default: return {};
    }
    if (after_change_cipher_spec) {
        return {TlsStart::encrypted_handshake, length};
    }
    const auto message = reader.u8();
    if (message == std::uint8_t{1}) {
        return {TlsStart::client_hello, length};
    }
    if (message == std::uint8_t{2}) {
        return {TlsStart::server_hello, length};
    }
    return {TlsStart::handshake, length};
}

// What the reading has learnt of one queried connection.
struct Tracked {
    ConnectionPackets result;
    std::array<std::optional<std::uint32_t>, 2> isn;
    std::array<bool, 2> change_cipher_spec{};
};

std::size_t index(Side side)
{
    return side == Side::client ? 0 : 1;
}

std::optional<Side> side_of(const TcpPacket& packet, const ConnectionQuery& query)
{
    if (packet.src_port == query.client_port && packet.dst_port == query.server_port && packet.src == query.client_ip &&
        packet.dst == query.server_ip) {
        return Side::client;
    }
    if (packet.src_port == query.server_port && packet.dst_port == query.client_port && packet.src == query.server_ip &&
        packet.dst == query.client_ip) {
        return Side::server;
    }
    return std::nullopt;
}

void take(const TcpPacket& packet, Side from, Tracked& tracked, std::size_t max_packets)
{
    auto& isn = tracked.isn[index(from)];
    if (packet.has(tcp_flag::syn) && !isn) {
        isn = packet.seq;
    }
    const auto start = record_start(packet.payload, tracked.change_cipher_spec[index(from)]);
    if (start.kind == TlsStart::change_cipher_spec) {
        tracked.change_cipher_spec[index(from)] = true;
    }
    if (tracked.result.packets.size() >= max_packets) {
        ++tracked.result.more;
        return;
    }
    const auto& peer_isn = tracked.isn[index(other(from))];
    tracked.result.packets.push_back({
        .t_ns = packet.t_ns,
        .from = from,
        .src_ip = packet.src,
        .src_port = packet.src_port,
        .dst_ip = packet.dst,
        .dst_port = packet.dst_port,
        .flags = packet.flags,
        .seq = packet.seq,
        .ack = packet.ack,
        .rel_seq = isn ? std::optional(packet.seq - *isn) : std::nullopt,
        .rel_ack = peer_isn && packet.has(tcp_flag::ack) ? std::optional(packet.ack - *peer_isn) : std::nullopt,
        .payload_length = packet.payload_length,
        .ttl = packet.ttl,
        .ip_id = packet.ip_id,
        .src_mac = packet.src_mac,
        .tls = start.kind,
        .tls_record_length = start.length,
        .truncated = packet.truncated,
    });
}

}  // namespace

std::string_view to_string(TlsStart start)
{
    switch (start) {
    case TlsStart::none: return "none";
    case TlsStart::client_hello: return "client_hello";
    case TlsStart::server_hello: return "server_hello";
    case TlsStart::handshake: return "handshake";
    case TlsStart::encrypted_handshake: return "encrypted_handshake";
    case TlsStart::change_cipher_spec: return "change_cipher_spec";
    case TlsStart::alert: return "alert";
    case TlsStart::application_data: return "application_data";
    }
    return "none";
}

FlowPackets read_flow_packets(const std::filesystem::path& path, std::span<const ConnectionQuery> queries,
                              std::size_t max_packets)
{
    PcapHandle handle = open_capture_file(path);
    const LinkType link = handle.link_type();
    std::vector<Tracked> tracked(queries.size());
    FlowPackets out;
    TcpPacket packet;
    Frame frame;
    for (;;) {
        const NextFrame next = handle.next(frame);
        if (next == NextFrame::error) {
            out.input_error = fmt::format("{}: {}", handle.name(), handle.error());
        }
        if (next != NextFrame::frame) {
            break;
        }
        packet.t_ns = frame.t_ns;
        if (!decode_frame(link, frame.bytes, frame.wire_length, packet).ok()) {
            continue;
        }
        for (std::size_t i = 0; i < queries.size(); ++i) {
            const auto& query = queries[i];
            if (packet.t_ns + window_slack_ns < query.from_ns || packet.t_ns - window_slack_ns > query.to_ns) {
                continue;
            }
            if (const auto from = side_of(packet, query)) {
                take(packet, *from, tracked[i], max_packets);
            }
        }
    }
    out.connections.reserve(tracked.size());
    for (auto& t : tracked) {
        out.connections.push_back(std::move(t.result));
    }
    return out;
}

}  // namespace tlsprobe::capture
