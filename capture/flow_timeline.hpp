#pragma once
// One TCP connection as seen from one vantage: the evidence the verdicts are
// built from (DESIGN.md "Captures"). docs/FLOWS.md documents its JSON form.
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "capture/packet.hpp"
#include "capture/small_set.hpp"
#include "capture/tls_hello.hpp"

namespace tlsprobe::capture {

// The client is the side that sent the SYN.
enum class Side : std::uint8_t { client, server };
[[nodiscard]] std::string_view to_string(Side side);
[[nodiscard]] constexpr Side other(Side side) { return side == Side::client ? Side::server : Side::client; }

enum class FlowEnd : std::uint8_t {
    closed,       // FIN from both sides, then the linger time
    reset,        // a RST, then the linger time
    idle,         // no packet for the idle timeout
    evicted,      // the flow table was full and this was the least recently seen flow
    port_reused,  // a new SYN with another ISN started a new connection on the same 4-tuple
    capture_end,  // still open when the capture ended
};
inline constexpr std::size_t flow_end_count = 6;
[[nodiscard]] std::string_view to_string(FlowEnd end);

// Which packet did something, for telling the server from a middlebox.
struct PacketMark {
    std::int64_t t_ns = 0;
    std::uint8_t ttl = 0;
    std::optional<std::uint16_t> ip_id;
    std::optional<MacAddress> src_mac;
};

struct SynRecord {
    PacketMark first;
    std::uint32_t isn = 0;
    TcpOptions options;
    // Later copies with the same ISN.
    TimeList<8> retransmissions;
};

template <typename Hello>
struct HelloRecord {
    Hello hello;
    // Time of the first packet carrying the hello's first byte.
    std::int64_t t_ns = 0;
    // Stream offsets of the records holding the hello: [begin, end).
    std::uint64_t begin = 0;
    std::uint64_t end = 0;
    // Packets that carried hello bytes already seen.
    TimeList<8> retransmissions;
};

struct Alert {
    std::int64_t t_ns = 0;
    std::uint8_t level = 0;
    std::uint8_t description = 0;
};

struct CloseEvent {
    bool rst = false;
    Side from = Side::client;
    std::int64_t t_ns = 0;
    // Relative to the sender's ISN (1 = no payload was sent before it).
    std::uint32_t rel_seq = 0;
    std::uint8_t ttl = 0;
    std::optional<MacAddress> src_mac;
};

struct DirectionRecord {
    std::uint64_t packets = 0;
    std::uint64_t payload_bytes = 0;
    // Segments that carried bytes already seen, and segments that filled a gap.
    std::uint64_t retransmitted_segments = 0;
    std::uint64_t out_of_order_segments = 0;
    std::uint64_t truncated_packets = 0;
    SmallSet<std::uint8_t, 8> ttls;
    SmallSet<MacAddress, 4> src_macs;
    SmallSet<MacAddress, 4> dst_macs;
    // TLS as parsed from this direction's reassembled stream.
    bool tls = false;
    bool not_tls = false;
    std::uint32_t tls_records = 0;
    std::optional<std::int64_t> change_cipher_spec_ns;
    std::optional<std::int64_t> first_encrypted_ns;
    std::vector<Alert> alerts;
    std::optional<TlsParseError> tls_error;
    // The stream had a gap that was never filled before parsing needed it.
    bool tls_gap = false;
};

struct FlowTimeline {
    // Order of creation within this capture.
    std::uint64_t id = 0;
    IpAddress client_ip;
    IpAddress server_ip;
    std::uint16_t client_port = 0;
    std::uint16_t server_port = 0;
    // No SYN or SYN-ACK was seen: the client was guessed from the ports.
    bool direction_inferred = false;
    std::int64_t first_ns = 0;
    std::int64_t last_ns = 0;
    FlowEnd end = FlowEnd::capture_end;

    std::optional<SynRecord> syn;
    std::optional<SynRecord> syn_ack;
    // The client's ACK of the SYN-ACK.
    std::optional<std::int64_t> handshake_ack_ns;

    std::optional<HelloRecord<ClientHello>> client_hello;
    // The first server-side packet whose ACK covered the whole ClientHello.
    std::optional<PacketMark> client_hello_acked;
    // Payload-less server-side packets acknowledging exactly the ClientHello's end.
    std::uint32_t client_hello_pure_acks = 0;
    std::optional<HelloRecord<ServerHello>> server_hello;

    DirectionRecord client;
    DirectionRecord server;

    // Every FIN and RST, first 16 kept, all counted.
    std::vector<CloseEvent> closes;
    std::uint32_t fin_count = 0;
    std::uint32_t rst_count = 0;

    [[nodiscard]] DirectionRecord& direction(Side side) { return side == Side::client ? client : server; }
    [[nodiscard]] const DirectionRecord& direction(Side side) const { return side == Side::client ? client : server; }
    // The side whose FIN or RST came first.
    [[nodiscard]] std::optional<Side> closed_first() const
    {
        if (closes.empty()) {
            return std::nullopt;
        }
        return closes.front().from;
    }
};

}  // namespace tlsprobe::capture
