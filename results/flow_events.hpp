#pragma once
// The packets of one timeline that the verdicts turn on, in time order: what
// the terminal's example lists (reports/analysis_text.hpp) and what the
// ladder diagram draws for a vantage without a pcap (reports/ladder_diagram.hpp).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "results/flow_evidence.hpp"

namespace tlsprobe::results {

enum class FlowEventKind : std::uint8_t {
    syn,
    syn_ack,
    handshake_ack,        // the client's ACK of the SYN-ACK
    client_hello,
    client_hello_ack,     // the first server-side packet whose ACK covered the ClientHello
    server_hello,
    change_cipher_spec,
    alert,
    fin,
    rst,
};
[[nodiscard]] std::string_view to_string(FlowEventKind kind);

struct FlowEvent {
    FlowEventKind kind = FlowEventKind::syn;
    bool from_client = true;
    std::int64_t t_ns = 0;
    // What the timeline kept of the packet; empty when it keeps nothing.
    std::optional<std::uint8_t> ttl{};
    std::optional<std::uint32_t> length{};   // hellos: bytes of the record(s) holding them
    std::optional<std::uint32_t> isn{};      // syn, syn_ack
    std::optional<std::uint32_t> rel_seq{};  // fin, rst
    std::string random{};                    // hellos, hex
    std::uint32_t retransmissions = 0;      // syn, syn_ack, hellos: later copies
    std::uint32_t pure_acks = 0;            // client_hello_ack: payload-less ACKs of exactly the ClientHello
    std::uint8_t alert_level = 0;
    std::uint8_t alert_description = 0;
};

// Every key event of the timeline, sorted by time (events at the same time
// in the order of FlowEventKind).
[[nodiscard]] std::vector<FlowEvent> key_events(const FlowEvidence& flow);

}  // namespace tlsprobe::results
