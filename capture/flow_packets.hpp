#pragma once
// The packets of a few given TCP connections, read from a pcap or pcapng file
// in one pass: one entry per packet, as a ladder diagram draws them. The flow
// table (flow_table.hpp) summarises every connection; this keeps each packet
// of the few asked for, bounded.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "capture/flow_timeline.hpp"
#include "capture/packet.hpp"

namespace tlsprobe::capture {

// What a payload begins with when its first bytes are a TLS record header
// (content type 20-23, version 3.x): only what those bytes show, without
// reassembly. A segment that continues a record shows `none` unless its
// first bytes happen to look like a record header.
enum class TlsStart : std::uint8_t {
    none,                  // no payload, or not the start of a TLS record
    client_hello,          // handshake record, message type 1
    server_hello,          // handshake record, message type 2
    handshake,             // another handshake message, or its type was not captured
    encrypted_handshake,   // a handshake record after this side's ChangeCipherSpec (Finished)
    change_cipher_spec,
    alert,
    application_data,
};
[[nodiscard]] std::string_view to_string(TlsStart start);

// One connection to pick out of the capture, by its 4-tuple in either
// direction. The time window tells it from earlier or later connections on
// the same 4-tuple (a timeline's first_ns and last_ns).
struct ConnectionQuery {
    IpAddress client_ip;
    std::uint16_t client_port = 0;
    IpAddress server_ip;
    std::uint16_t server_port = 0;
    std::int64_t from_ns = std::numeric_limits<std::int64_t>::min();
    std::int64_t to_ns = std::numeric_limits<std::int64_t>::max();
};

struct ConnectionPacket {
    // pcap timestamp, nanoseconds since the Unix epoch.
    std::int64_t t_ns = 0;
    // Which end of the queried connection sent it.
    Side from = Side::client;
    IpAddress src_ip;
    std::uint16_t src_port = 0;
    IpAddress dst_ip;
    std::uint16_t dst_port = 0;
    std::uint8_t flags = 0;
    // Sequence and acknowledgement numbers as on the wire.
    std::uint32_t seq = 0;
    std::uint32_t ack = 0;
    // Relative to the sender's ISN (its SYN's first byte is 0, payload starts
    // at 1) once that side's SYN was seen; the same for ack against the
    // receiver's ISN, and only when the ACK flag is set.
    std::optional<std::uint32_t> rel_seq;
    std::optional<std::uint32_t> rel_ack;
    // Payload length on the wire (from the IP length fields).
    std::uint32_t payload_length = 0;
    std::uint8_t ttl = 0;
    std::optional<std::uint16_t> ip_id;
    std::optional<MacAddress> src_mac;
    TlsStart tls = TlsStart::none;
    // The length field of that TLS record's header, when there is one.
    std::optional<std::uint16_t> tls_record_length;
    // The snaplen cut the payload.
    bool truncated = false;
};

struct ConnectionPackets {
    // The first packets in capture order, at most the requested bound.
    std::vector<ConnectionPacket> packets;
    // Packets of the connection beyond the bound, counted only.
    std::uint64_t more = 0;
};

struct FlowPackets {
    // One entry per query, in the order of the queries.
    std::vector<ConnectionPackets> connections;
    // The file ended inside a record (libpcap's message): what came before is delivered.
    std::optional<std::string> input_error;
};

inline constexpr std::size_t default_packets_per_connection = 64;

// Reads the file once for all `queries`. Throws core::InputError naming the
// file when it is missing, not a capture, or of an unsupported link type.
[[nodiscard]] FlowPackets read_flow_packets(const std::filesystem::path& path, std::span<const ConnectionQuery> queries,
                                            std::size_t max_packets = default_packets_per_connection);

}  // namespace tlsprobe::capture
