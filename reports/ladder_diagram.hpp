#pragma once
// The ladder diagram of one example connection (the HTML report's picture of
// the terminal's "Example client_hello_lost / middlebox_acked:"): lanes for
// the client, the middlebox when the verdict saw one, and the server; one
// arrow per captured packet in time order, the packet the verdict says never
// arrived drawn as lost. Packets come from each vantage's pcap; a vantage
// without one (a remote agent streams only timelines) is drawn from its flow
// timeline's key events.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "capture/flow_packets.hpp"
#include "results/flow_join.hpp"
#include "results/verdict.hpp"

namespace tlsprobe::reports {

enum class LadderLane : std::uint8_t { client, middlebox, server };
[[nodiscard]] std::string_view to_string(LadderLane lane);

// Where a packet was captured.
enum class LadderVantage : std::uint8_t { client, server };
[[nodiscard]] std::string_view to_string(LadderVantage vantage);

// What an arrow carries; to_string is the SVG's data-what.
enum class ArrowKind : std::uint8_t {
    syn,
    syn_ack,
    ack,
    client_hello,
    client_hello_ack,     // a payload-less server-side ACK of exactly the ClientHello's end
    server_hello,
    handshake,            // another handshake message in the clear
    encrypted_handshake,  // a handshake record after ChangeCipherSpec
    change_cipher_spec,
    alert,
    application_data,
    data,                 // payload that does not begin a TLS record
    fin,
    rst,
};
[[nodiscard]] std::string_view to_string(ArrowKind kind);

// Where one side's arrows came from.
enum class LadderSource : std::uint8_t {
    pcap,       // every packet of the connection in the vantage's pcap (up to the bound)
    timeline,   // the key events of the vantage's flow timeline
    none,       // no flow of this connection at that vantage
};
[[nodiscard]] std::string_view to_string(LadderSource source);

struct LadderArrow {
    LadderLane from = LadderLane::client;
    LadderLane to = LadderLane::server;
    // Where it was captured; for a lost packet, where it never arrived.
    LadderVantage vantage = LadderVantage::client;
    ArrowKind kind = ArrowKind::ack;
    bool lost = false;
    // Milliseconds after the client's SYN on the client's clock; a
    // server-side time is shifted by the clock offset when there is one.
    double t_ms = 0;
    bool shifted = false;
    std::string label;    // "SYN-ACK", "ClientHello"
    std::string detail;   // "[ACK] seq 1 ack 294 · len 0 · TTL 253: 2 hops from a sender starting at 255"
    std::optional<std::uint32_t> length{};
    std::optional<std::uint8_t> ttl{};
    // Set when the TTL shows a sender other than the endpoint the packet
    // claims to come from (and the detail then says how far it was).
    std::optional<results::HopEstimate> foreign_sender{};
};

struct LadderLaneHeader {
    LadderLane lane = LadderLane::client;
    std::string title;     // "client", "middlebox (terminates TCP)", "server"
    std::string address;   // "198.18.1.2:20001"; the server as the server vantage saw it
};

struct LadderExample {
    results::Verdict verdict = results::Verdict::unknown;
    std::string sub;       // results::sub_name
    std::string caption;   // "client_hello_lost / middlebox_acked: 198.18.1.2:20001 -> 198.18.100.10:443"
    std::vector<LadderLaneHeader> lanes;   // left to right
    std::vector<LadderArrow> arrows;       // in time order; a lost packet right after the copy that was sent
    LadderSource client_source = LadderSource::none;
    LadderSource server_source = LadderSource::none;
    // Packets of the connection beyond the bound, per vantage, not drawn.
    std::uint64_t client_more = 0;
    std::uint64_t server_more = 0;
    std::vector<std::string> notes;   // written under the diagram
};

// The example from packets already read: nullopt for a vantage means it has
// no pcap, so its side comes from its flow timeline (record.client_flow,
// record.server_flow); a pcap without a packet of the connection falls back
// the same way, with a note.
[[nodiscard]] LadderExample ladder_from_packets(const results::VerdictRecord& record,
                                                const results::ClockOffset& clock_offset,
                                                const std::optional<capture::ConnectionPackets>& client_packets,
                                                const std::optional<capture::ConnectionPackets>& server_packets);

// The examples of several records, reading each pcap once for all of them
// (at most `max_packets` per connection and vantage). `clock_offset` is the
// analysis's (reports/verdict_examples.hpp: example_clock_offset). Throws
// core::InputError naming a pcap that cannot be read.
[[nodiscard]] std::vector<LadderExample> ladder_examples(
    std::span<const results::VerdictRecord* const> records, const results::ClockOffset& clock_offset,
    const std::optional<std::filesystem::path>& client_pcap, const std::optional<std::filesystem::path>& server_pcap,
    std::size_t max_packets = capture::default_packets_per_connection);

// One example, the same way.
[[nodiscard]] LadderExample ladder_example(const results::VerdictRecord& record, const results::ClockOffset& clock_offset,
                                           const std::optional<std::filesystem::path>& client_pcap,
                                           const std::optional<std::filesystem::path>& server_pcap);

// The picture: an <svg class="ladder"> with lane headers, one
// <g class="packet"> per arrow ("packet lost" for the lost one) carrying
// data-what, data-vantage, data-ttl (when known), data-from, data-to and
// data-t-ms; a time-gap break where more than half a second passes between
// two arrows; the notes underneath.
[[nodiscard]] std::string ladder_svg(const LadderExample& example);

}  // namespace tlsprobe::reports
