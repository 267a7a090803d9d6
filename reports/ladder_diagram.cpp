#include "reports/ladder_diagram.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "reports/verdict_examples.hpp"
#include "results/flow_events.hpp"

namespace tlsprobe::reports {

std::string_view to_string(LadderLane lane)
{
    switch (lane) {
    case LadderLane::client: return "client";
    case LadderLane::middlebox: return "middlebox";
    case LadderLane::server: return "server";
    }
    return "client";
}

std::string_view to_string(LadderVantage vantage)
{
    return vantage == LadderVantage::client ? "client" : "server";
}

std::string_view to_string(ArrowKind kind)
{
    switch (kind) {
    case ArrowKind::syn: return "syn";
    case ArrowKind::syn_ack: return "syn_ack";
    case ArrowKind::ack: return "ack";
    case ArrowKind::client_hello: return "client_hello";
    case ArrowKind::client_hello_ack: return "client_hello_ack";
    case ArrowKind::server_hello: return "server_hello";
    case ArrowKind::handshake: return "handshake";
    case ArrowKind::encrypted_handshake: return "encrypted_handshake";
    case ArrowKind::change_cipher_spec: return "change_cipher_spec";
    case ArrowKind::alert: return "alert";
    case ArrowKind::application_data: return "application_data";
    case ArrowKind::data: return "data";
    case ArrowKind::fin: return "fin";
    case ArrowKind::rst: return "rst";
    }
    return "ack";
}

std::string_view to_string(LadderSource source)
{
    switch (source) {
    case LadderSource::pcap: return "pcap";
    case LadderSource::timeline: return "timeline";
    case LadderSource::none: return "none";
    }
    return "none";
}

namespace {

// What is written on the arrow.
std::string_view arrow_label(ArrowKind kind)
{
    switch (kind) {
    case ArrowKind::syn: return "SYN";
    case ArrowKind::syn_ack: return "SYN-ACK";
    case ArrowKind::ack: return "ACK";
    case ArrowKind::client_hello: return "ClientHello";
    case ArrowKind::client_hello_ack: return "ACK of the ClientHello";
    case ArrowKind::server_hello: return "ServerHello";
    case ArrowKind::handshake: return "Handshake";
    case ArrowKind::encrypted_handshake: return "Encrypted handshake";
    case ArrowKind::change_cipher_spec: return "ChangeCipherSpec";
    case ArrowKind::alert: return "Alert";
    case ArrowKind::application_data: return "Application data";
    case ArrowKind::data: return "Data";
    case ArrowKind::fin: return "FIN";
    case ArrowKind::rst: return "RST";
    }
    return "";
}

ArrowKind arrow_kind(results::FlowEventKind kind)
{
    switch (kind) {
    case results::FlowEventKind::syn: return ArrowKind::syn;
    case results::FlowEventKind::syn_ack: return ArrowKind::syn_ack;
    case results::FlowEventKind::handshake_ack: return ArrowKind::ack;
    case results::FlowEventKind::client_hello: return ArrowKind::client_hello;
    case results::FlowEventKind::client_hello_ack: return ArrowKind::client_hello_ack;
    case results::FlowEventKind::server_hello: return ArrowKind::server_hello;
    case results::FlowEventKind::change_cipher_spec: return ArrowKind::change_cipher_spec;
    case results::FlowEventKind::alert: return ArrowKind::alert;
    case results::FlowEventKind::fin: return ArrowKind::fin;
    case results::FlowEventKind::rst: return ArrowKind::rst;
    }
    return ArrowKind::ack;
}

std::string host_port(std::string_view ip, std::uint16_t port)
{
    return ip.find(':') == std::string_view::npos ? fmt::format("{}:{}", ip, port) : fmt::format("[{}]:{}", ip, port);
}

// How one vantage's observations are placed on the lanes and the clock.
struct SideView {
    LadderVantage vantage = LadderVantage::client;
    bool middlebox = false;
    // Subtracted from the vantage's times: the client's SYN, plus the clock
    // offset for the server.
    std::int64_t zero_ns = 0;
    bool shifted = false;
    // Initial TTL of the endpoint at the far side, as its own vantage saw it.
    std::optional<std::uint8_t> far_initial_ttl;
    // The verdict says something other than the server ACKed the ClientHello.
    bool client_hello_ack_foreign = false;

    [[nodiscard]] bool incoming(bool from_client) const { return from_client != (vantage == LadderVantage::client); }

    [[nodiscard]] std::pair<LadderLane, LadderLane> ends(bool from_client) const
    {
        const auto near = vantage == LadderVantage::client ? LadderLane::client : LadderLane::server;
        const auto far = middlebox                          ? LadderLane::middlebox
                         : vantage == LadderVantage::client ? LadderLane::server
                                                            : LadderLane::client;
        return incoming(from_client) ? std::pair{far, near} : std::pair{near, far};
    }

    [[nodiscard]] double ms(std::int64_t t_ns) const { return static_cast<double>(t_ns - zero_ns) / 1e6; }

    // The hop estimate when a received packet's TTL shows another sender
    // than the far endpoint.
    [[nodiscard]] std::optional<results::HopEstimate> foreign(bool from_client, std::uint8_t ttl, ArrowKind kind) const
    {
        if (!incoming(from_client)) {
            return std::nullopt;
        }
        const auto seen = results::estimate_hops(ttl);
        const bool other_initial =
            far_initial_ttl && results::estimate_hops(*far_initial_ttl).initial_ttl != seen.initial_ttl;
        if (other_initial || (kind == ArrowKind::client_hello_ack && client_hello_ack_foreign)) {
            return seen;
        }
        return std::nullopt;
    }

    [[nodiscard]] LadderArrow arrow(bool from_client, std::int64_t t_ns, ArrowKind kind) const
    {
        const auto [from, to] = ends(from_client);
        LadderArrow arrow;
        arrow.from = from;
        arrow.to = to;
        arrow.vantage = vantage;
        arrow.kind = kind;
        arrow.t_ms = ms(t_ns);
        arrow.shifted = shifted;
        arrow.label = std::string(arrow_label(kind));
        return arrow;
    }
};

std::string ttl_text(std::uint8_t ttl, const std::optional<results::HopEstimate>& foreign)
{
    return foreign ? results::ttl_with_hops(ttl) : fmt::format("TTL {}", ttl);
}

// Wireshark's order and spelling: [FIN, SYN, RST, PSH, ACK].
std::string flags_text(std::uint8_t flags)
{
    constexpr std::pair<std::uint8_t, std::string_view> names[] = {
        {capture::tcp_flag::fin, "FIN"}, {capture::tcp_flag::syn, "SYN"}, {capture::tcp_flag::rst, "RST"},
        {capture::tcp_flag::psh, "PSH"}, {capture::tcp_flag::ack, "ACK"}};
    std::string out;
    for (const auto& [flag, name] : names) {
        if ((flags & flag) != 0) {
            out += out.empty() ? "[" : ", ";
            out += name;
        }
    }
    return out.empty() ? "[none]" : out + "]";
}

// The sequence number one past the ClientHello's record, when a packet began it.
std::optional<std::uint32_t> client_hello_end(const std::vector<capture::ConnectionPacket>& packets)
{
    for (const auto& p : packets) {
        if (p.from == capture::Side::client && p.tls == capture::TlsStart::client_hello && p.tls_record_length) {
            return p.seq + 5U + *p.tls_record_length;
        }
    }
    return std::nullopt;
}

ArrowKind packet_kind(const capture::ConnectionPacket& p, std::optional<std::uint32_t> hello_end)
{
    using capture::TlsStart;
    namespace flag = capture::tcp_flag;
    if ((p.flags & flag::syn) != 0) {
        return (p.flags & flag::ack) != 0 ? ArrowKind::syn_ack : ArrowKind::syn;
    }
    if ((p.flags & flag::rst) != 0) {
        return ArrowKind::rst;
    }
    switch (p.tls) {
    case TlsStart::client_hello: return ArrowKind::client_hello;
    case TlsStart::server_hello: return ArrowKind::server_hello;
    case TlsStart::handshake: return ArrowKind::handshake;
    case TlsStart::encrypted_handshake: return ArrowKind::encrypted_handshake;
    case TlsStart::change_cipher_spec: return ArrowKind::change_cipher_spec;
    case TlsStart::alert: return ArrowKind::alert;
    case TlsStart::application_data: return ArrowKind::application_data;
    case TlsStart::none: break;
    }
    if ((p.flags & flag::fin) != 0) {
        return ArrowKind::fin;
    }
    if (p.payload_length != 0) {
        return ArrowKind::data;
    }
    if (p.from == capture::Side::server && (p.flags & flag::ack) != 0 && hello_end && p.ack == *hello_end) {
        return ArrowKind::client_hello_ack;
    }
    return ArrowKind::ack;
}

void add_packets(std::vector<LadderArrow>& arrows, const SideView& view, const capture::ConnectionPackets& packets)
{
    const auto hello_end = client_hello_end(packets.packets);
    for (const auto& p : packets.packets) {
        const bool from_client = p.from == capture::Side::client;
        auto arrow = view.arrow(from_client, p.t_ns, packet_kind(p, hello_end));
        arrow.length = p.payload_length;
        arrow.ttl = p.ttl;
        arrow.foreign_sender = view.foreign(from_client, p.ttl, arrow.kind);
        std::string detail = flags_text(p.flags);
        detail += p.rel_seq ? fmt::format(" seq {}", *p.rel_seq) : fmt::format(" seq {} (absolute)", p.seq);
        if ((p.flags & capture::tcp_flag::ack) != 0) {
            detail += p.rel_ack ? fmt::format(" ack {}", *p.rel_ack) : fmt::format(" ack {} (absolute)", p.ack);
        }
        detail += fmt::format(" · len {} · {}", p.payload_length, ttl_text(p.ttl, arrow.foreign_sender));
        if (p.truncated) {
            detail += " · cut by the snaplen";
        }
        arrow.detail = std::move(detail);
        arrows.push_back(std::move(arrow));
    }
}

// The first packet that ACKed the ClientHello may be one that did more (the
// ServerHello, a FIN): the timeline dates both alike. That ACK event, if so.
const results::FlowEvent* ack_in_another_event(const std::vector<results::FlowEvent>& events)
{
    for (const auto& event : events) {
        if (event.kind == results::FlowEventKind::client_hello_ack && event.pure_acks == 0 &&
            std::any_of(events.begin(), events.end(), [&](const results::FlowEvent& other) {
                return other.kind != event.kind && !other.from_client && other.t_ns == event.t_ns;
            })) {
            return &event;
        }
    }
    return nullptr;
}

void add_timeline(std::vector<LadderArrow>& arrows, const SideView& view, const results::FlowEvidence& flow)
{
    const auto events = results::key_events(flow);
    // Such an ACK is drawn as the first other event at its time, with its TTL.
    const auto* merged_ack = ack_in_another_event(events);
    bool ack_placed = false;
    for (const auto& event : events) {
        if (&event == merged_ack) {
            continue;
        }
        const bool carries_ack =
            merged_ack != nullptr && !ack_placed && !event.from_client && event.t_ns == merged_ack->t_ns;
        ack_placed = ack_placed || carries_ack;
        const auto ttl = event.ttl || !carries_ack ? event.ttl : merged_ack->ttl;
        auto arrow = view.arrow(event.from_client, event.t_ns, arrow_kind(event.kind));
        arrow.length = event.length;
        arrow.ttl = ttl;
        std::vector<std::string> parts;
        if (event.rel_seq) {
            parts.push_back(fmt::format("seq {}", *event.rel_seq));
        }
        if (event.length) {
            parts.push_back(fmt::format("len {}", *event.length));
        }
        if (ttl) {
            arrow.foreign_sender = view.foreign(event.from_client, *ttl, arrow.kind);
            parts.push_back(ttl_text(*ttl, arrow.foreign_sender));
        }
        if (event.kind == results::FlowEventKind::client_hello_ack) {
            parts.push_back(fmt::format("{} pure ACKs", event.pure_acks));
        }
        if (event.kind == results::FlowEventKind::alert) {
            parts.push_back(fmt::format("level {}, description {}", event.alert_level, event.alert_description));
        }
        if (event.retransmissions != 0) {
            parts.push_back(fmt::format("{} retransmissions", event.retransmissions));
        }
        if (carries_ack) {
            parts.emplace_back("ACKs the ClientHello");
        }
        std::string detail;
        for (const auto& part : parts) {
            detail += (detail.empty() ? "" : " · ") + part;
        }
        arrow.detail = std::move(detail);
        arrows.push_back(std::move(arrow));
    }
}

// The packet the verdict says never arrived, sent at `t_ns` on `view`'s clock.
struct LostPacket {
    ArrowKind kind = ArrowKind::syn;
    LadderVantage missing_at = LadderVantage::server;
    const SideView* sent_view = nullptr;
    std::int64_t t_ns = 0;
};

std::optional<LostPacket> lost_packet(const results::VerdictRecord& record, const SideView& client_view,
                                      const SideView& server_view)
{
    const auto* client = record.client_flow;
    const auto* server = record.server_flow;
    switch (record.verdict) {
    case results::Verdict::syn_lost:
        if (client != nullptr && client->syn) {
            return LostPacket{ArrowKind::syn, LadderVantage::server, &client_view, client->syn->packet.t_ns};
        }
        break;
    case results::Verdict::client_hello_lost:
        if (client != nullptr && client->client_hello) {
            return LostPacket{ArrowKind::client_hello, LadderVantage::server, &client_view, client->client_hello->t_ns};
        }
        break;
    case results::Verdict::synack_lost:
        if (server != nullptr && server->syn_ack) {
            return LostPacket{ArrowKind::syn_ack, LadderVantage::client, &server_view, server->syn_ack->packet.t_ns};
        }
        break;
    case results::Verdict::server_hello_lost:
        if (server != nullptr && server->server_hello) {
            return LostPacket{ArrowKind::server_hello, LadderVantage::client, &server_view, server->server_hello->t_ns};
        }
        break;
    default: break;
    }
    return std::nullopt;
}

LadderArrow lost_arrow(const LostPacket& lost, bool middlebox)
{
    LadderArrow arrow;
    const bool to_server = lost.missing_at == LadderVantage::server;
    const auto near_sender = to_server ? LadderLane::client : LadderLane::server;
    arrow.from = middlebox ? LadderLane::middlebox : near_sender;
    arrow.to = to_server ? LadderLane::server : LadderLane::client;
    arrow.vantage = lost.missing_at;
    arrow.kind = lost.kind;
    arrow.lost = true;
    arrow.t_ms = lost.sent_view->ms(lost.t_ns);
    arrow.shifted = lost.sent_view->shifted;
    arrow.label = std::string(arrow_label(lost.kind));
    arrow.detail = to_server ? "never reached the server" : "never reached the client";
    return arrow;
}

std::vector<LadderLaneHeader> lane_headers(const results::VerdictRecord& record)
{
    const auto* client = record.client_flow;
    const auto* server = record.server_flow;
    std::vector<LadderLaneHeader> lanes;
    lanes.push_back({LadderLane::client, "client",
                     client != nullptr ? host_port(client->client_ip, client->client_port)
                                       : host_port(record.client_ip, record.client_port)});
    if (record.middlebox) {
        std::string evidence;
        for (const auto what : record.middlebox_evidence) {
            evidence += (evidence.empty() ? "" : ", ") + std::string(to_string(what));
        }
        std::string address = "shown by " + evidence;
        const bool rewrote = server != nullptr && client != nullptr &&
                             (server->client_ip != client->client_ip || server->client_port != client->client_port);
        if (rewrote) {
            address = host_port(server->client_ip, server->client_port) + " at the server · " + address;
        }
        lanes.push_back({LadderLane::middlebox, "middlebox", std::move(address)});
    }
    lanes.push_back({LadderLane::server, "server",
                     server != nullptr ? host_port(server->server_ip, server->server_port)
                                       : host_port(record.server_ip, record.server_port)});
    return lanes;
}

std::string clock_note(const results::ClockOffset& offset, bool server_drawn)
{
    if (!server_drawn) {
        return {};
    }
    if (offset.samples == 0) {
        return "≈ server times on the server's own clock: no clock offset was estimated (no connection joined by an "
               "exact key)";
    }
    return fmt::format("≈ server times shifted onto the client's clock by the clock offset server - client "
                       "{:+.3f} ms (spread {:.3f} ms, {} exact matches)",
                       static_cast<double>(offset.median_ns) / 1e6, static_cast<double>(offset.spread_ns) / 1e6,
                       offset.samples);
}

LadderSource add_side(std::vector<LadderArrow>& arrows, std::vector<std::string>& notes, const SideView& view,
                      const results::FlowEvidence* flow, const std::optional<capture::ConnectionPackets>& packets,
                      std::uint64_t& more)
{
    const auto name = to_string(view.vantage);
    if (packets && !packets->packets.empty()) {
        add_packets(arrows, view, *packets);
        more = packets->more;
        return LadderSource::pcap;
    }
    if (flow == nullptr) {
        return LadderSource::none;
    }
    add_timeline(arrows, view, *flow);
    notes.push_back(packets ? fmt::format("{0} side from its flow timeline (the {0} pcap has no packet of this "
                                          "connection)",
                                          name)
                            : fmt::format("{} side from its flow timeline (no pcap)", name));
    return LadderSource::timeline;
}

}  // namespace

LadderExample ladder_from_packets(const results::VerdictRecord& record, const results::ClockOffset& clock_offset,
                                  const std::optional<capture::ConnectionPackets>& client_packets,
                                  const std::optional<capture::ConnectionPackets>& server_packets)
{
    const auto* client = record.client_flow;
    const auto* server = record.server_flow;
    LadderExample example;
    example.verdict = record.verdict;
    example.sub = std::string(results::sub_name(record));
    example.caption = fmt::format("{}{}{}: {} -> {}", to_string(record.verdict), example.sub.empty() ? "" : " / ",
                                  example.sub, host_port(record.client_ip, record.client_port),
                                  host_port(record.server_ip, record.server_port));
    example.lanes = lane_headers(record);

    const bool shifted = clock_offset.samples != 0;
    const std::int64_t origin = client != nullptr   ? example_origin_ns(*client)
                                : server != nullptr ? example_origin_ns(*server) - clock_offset.median_ns
                                                    : 0;
    const bool acked_by_other = record.sub == results::VerdictSub::middlebox_acked;
    SideView client_view{.vantage = LadderVantage::client,
                         .middlebox = record.middlebox,
                         .zero_ns = origin,
                         .shifted = false,
                         .far_initial_ttl = record.server_sent_ttl,
                         .client_hello_ack_foreign = acked_by_other};
    SideView server_view{.vantage = LadderVantage::server,
                         .middlebox = record.middlebox,
                         .zero_ns = origin + clock_offset.median_ns,
                         .shifted = shifted,
                         .far_initial_ttl = client != nullptr && client->syn
                                                ? std::optional(client->syn->packet.ttl)
                                                : std::nullopt,
                         .client_hello_ack_foreign = false};

    std::vector<std::string> notes;
    example.client_source = add_side(example.arrows, notes, client_view, client, client_packets, example.client_more);
    example.server_source = add_side(example.arrows, notes, server_view, server, server_packets, example.server_more);
    if (client == nullptr) {
        notes.emplace_back("client: no flow of this connection in the client capture");
    }
    if (server == nullptr) {
        notes.emplace_back("server: no flow of this connection in the server capture");
    }
    // Stable: each vantage's packets keep their capture order at equal times.
    std::stable_sort(example.arrows.begin(), example.arrows.end(),
                     [](const LadderArrow& a, const LadderArrow& b) { return a.t_ms < b.t_ms; });
    if (const auto lost = lost_packet(record, client_view, server_view)) {
        auto arrow = lost_arrow(*lost, record.middlebox);
        // Right after the copy that left, drawn from the other vantage; by
        // its time when that copy is not among the arrows.
        auto at = std::find_if(example.arrows.begin(), example.arrows.end(), [&](const LadderArrow& a) {
            return !a.lost && a.kind == arrow.kind && a.vantage == lost->sent_view->vantage;
        });
        if (at != example.arrows.end()) {
            arrow.t_ms = at->t_ms;
            ++at;
        } else {
            at = std::upper_bound(example.arrows.begin(), example.arrows.end(), arrow.t_ms,
                                  [](double t, const LadderArrow& a) { return t < a.t_ms; });
        }
        example.arrows.insert(at, std::move(arrow));
    }

    if (auto note = clock_note(clock_offset, example.server_source != LadderSource::none); !note.empty()) {
        example.notes.push_back(std::move(note));
    }
    if (record.joined_by) {
        example.notes.push_back(fmt::format("client and server flows joined by {}", to_string(*record.joined_by)));
    }
    example.notes.insert(example.notes.end(), notes.begin(), notes.end());
    return example;
}

std::vector<LadderExample> ladder_examples(std::span<const results::VerdictRecord* const> records,
                                           const results::ClockOffset& clock_offset,
                                           const std::optional<std::filesystem::path>& client_pcap,
                                           const std::optional<std::filesystem::path>& server_pcap,
                                           std::size_t max_packets)
{
    // One pass over a vantage's pcap for the flows of every record; a
    // record without a flow there gets no query and no packets.
    struct VantageRead {
        std::vector<std::optional<capture::ConnectionPackets>> packets;
        std::optional<std::string> input_error;
    };
    const auto read = [&](const std::optional<std::filesystem::path>& pcap,
                          const results::FlowEvidence* results::VerdictRecord::*flow_of) {
        VantageRead out;
        out.packets.resize(records.size());
        if (!pcap) {
            return out;
        }
        std::vector<capture::ConnectionQuery> queries;
        std::vector<std::size_t> asked;
        for (std::size_t i = 0; i < records.size(); ++i) {
            const auto* flow = records[i]->*flow_of;
            if (flow == nullptr) {
                continue;
            }
            const auto client_ip = capture::parse_ip_address(flow->client_ip);
            const auto server_ip = capture::parse_ip_address(flow->server_ip);
            out.packets[i] = capture::ConnectionPackets{};
            if (!client_ip || !server_ip) {
                continue;
            }
            capture::ConnectionQuery query{.client_ip = *client_ip,
                                           .client_port = flow->client_port,
                                           .server_ip = *server_ip,
                                           .server_port = flow->server_port,
                                           .from_ns = flow->first_ns};
            if (flow->last_ns) {
                query.to_ns = *flow->last_ns;
            }
            queries.push_back(query);
            asked.push_back(i);
        }
        if (queries.empty()) {
            return out;
        }
        auto found = capture::read_flow_packets(*pcap, queries, max_packets);
        for (std::size_t k = 0; k < asked.size(); ++k) {
            out.packets[asked[k]] = std::move(found.connections[k]);
        }
        out.input_error = std::move(found.input_error);
        return out;
    };
    const auto client = read(client_pcap, &results::VerdictRecord::client_flow);
    const auto server = read(server_pcap, &results::VerdictRecord::server_flow);

    std::vector<LadderExample> examples;
    examples.reserve(records.size());
    for (std::size_t i = 0; i < records.size(); ++i) {
        auto example = ladder_from_packets(*records[i], clock_offset, client.packets[i], server.packets[i]);
        for (const auto* error : {&client.input_error, &server.input_error}) {
            if (*error) {
                example.notes.push_back("the capture file ends early: " + **error);
            }
        }
        examples.push_back(std::move(example));
    }
    return examples;
}

LadderExample ladder_example(const results::VerdictRecord& record, const results::ClockOffset& clock_offset,
                             const std::optional<std::filesystem::path>& client_pcap,
                             const std::optional<std::filesystem::path>& server_pcap)
{
    const results::VerdictRecord* one[] = {&record};
    return std::move(ladder_examples(one, clock_offset, client_pcap, server_pcap).front());
}

}  // namespace tlsprobe::reports
