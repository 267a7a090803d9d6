#pragma once
// What the verdicts need of one capture timeline (docs/FLOWS.md), read from
// its JSON form: the same path for timelines streamed by a capture agent and
// for those made here from a pcap file.
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tlsprobe::results {

// One packet that did something: when, and who sent it as far as the IP and
// Ethernet headers tell.
struct PacketEvidence {
    std::int64_t t_ns = 0;
    std::uint8_t ttl = 0;
    std::optional<std::uint16_t> ip_id;
    std::string src_mac;
};

struct SynEvidence {
    PacketEvidence packet;
    std::uint32_t isn = 0;
    std::optional<std::uint32_t> tsval;
    std::uint32_t retransmissions = 0;
};

struct HelloEvidence {
    std::int64_t t_ns = 0;
    std::string random;   // hex
    std::uint32_t retransmissions = 0;
    std::uint32_t length = 0;   // bytes from the record header to the end of the hello
};

struct CloseEvidence {
    bool rst = false;
    bool from_client = false;
    std::int64_t t_ns = 0;
    std::uint32_t rel_seq = 0;
    std::uint8_t ttl = 0;
};

struct AlertEvidence {
    std::int64_t t_ns = 0;
    std::uint8_t level = 0;
    std::uint8_t description = 0;
};

struct DirectionEvidence {
    std::uint64_t packets = 0;
    std::uint64_t payload_bytes = 0;
    std::vector<std::uint8_t> ttls;
    std::vector<std::string> src_macs;
    std::optional<std::int64_t> change_cipher_spec_ns;
    std::vector<AlertEvidence> alerts;   // plaintext alerts, the first 8
};

struct FlowEvidence {
    std::string vantage;
    std::uint64_t flow_id = 0;
    std::string client_ip;
    std::uint16_t client_port = 0;
    std::string server_ip;
    std::uint16_t server_port = 0;
    std::int64_t first_ns = 0;
    std::optional<std::int64_t> last_ns;   // last packet; empty when the line has none
    std::optional<SynEvidence> syn;
    std::optional<SynEvidence> syn_ack;
    std::optional<std::int64_t> handshake_ack_ns;
    std::optional<HelloEvidence> client_hello;
    std::optional<PacketEvidence> client_hello_acked;   // first server-side packet covering it
    std::uint32_t client_hello_pure_acks = 0;
    std::optional<HelloEvidence> server_hello;
    DirectionEvidence client_to_server;
    DirectionEvidence server_to_client;
    std::vector<CloseEvidence> closes;
};

// Throws core::InputError naming the missing or mistyped field.
[[nodiscard]] FlowEvidence flow_evidence_from_json(const boost::json::object& flow);

// The initial TTL a sender most likely used (64, 128 or 255) and the hops
// since: the nearest of those at or above the observed value.
struct HopEstimate {
    std::uint8_t initial_ttl = 0;
    std::uint8_t hops = 0;
};
[[nodiscard]] HopEstimate estimate_hops(std::uint8_t observed_ttl);
// "TTL 253: 2 hops from a sender starting at 255", as the reports write it.
[[nodiscard]] std::string ttl_with_hops(std::uint8_t observed_ttl);

}  // namespace tlsprobe::results
