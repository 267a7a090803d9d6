#include "capture/flow_table.hpp"

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

#include "capture/reassembler.hpp"
#include "capture/sequence.hpp"
#include "capture/tls_stream.hpp"

namespace tlsprobe::capture {

std::string_view to_string(Side side)
{
    return side == Side::client ? "client" : "server";
}

std::string_view to_string(FlowEnd end)
{
    switch (end) {
    case FlowEnd::closed: return "closed";
    case FlowEnd::reset: return "reset";
    case FlowEnd::idle: return "idle";
    case FlowEnd::evicted: return "evicted";
    case FlowEnd::port_reused: return "port_reused";
    case FlowEnd::capture_end: return "capture_end";
    }
    return "unknown";
}

namespace {

constexpr std::size_t max_close_events = 16;
constexpr std::size_t max_alerts = 8;
constexpr std::size_t max_logged_segments = 64;
// How often expiry runs, in packet time.
constexpr std::int64_t expiry_interval_ns = 100'000'000;

std::uint64_t load64(const std::byte* p)
{
    std::uint64_t v = 0;
    std::memcpy(&v, p, sizeof v);
    return v;
}

std::uint64_t mix(std::uint64_t h, std::uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6U) + (h >> 2U);
    return h * 0xff51afd7ed558ccdULL;
}

// Ports that name the server side when no SYN shows who connected to whom.
bool well_known_server_port(std::uint16_t port)
{
    return port < 1024 || port == 8443 || port == 4433 || port == 8080;
}

// A data segment as first seen, kept while this direction's TLS is parsed,
// to date the records (the packet carrying a record's first byte) and find
// retransmissions of the hello.
struct SeenSegment {
    std::uint32_t offset = 0;
    std::uint32_t length = 0;
    std::int64_t t_ns = 0;
    bool retransmission = false;
};

bool overlaps(const SeenSegment& s, std::uint64_t begin, std::uint64_t end)
{
    return s.offset < end && begin < std::uint64_t{s.offset} + s.length;
}

}  // namespace

struct DirectionState {
    bool base_known = false;
    // Sequence number before the first payload byte (the ISN when the SYN was seen).
    std::uint32_t base = 0;
    bool fin = false;
    SequenceTracker sequence;
    Reassembler reassembler;
    TlsStream tls;
    std::vector<SeenSegment> segments;
};

struct Flow {
    FlowKey key;
    FlowTimeline timeline;
    std::array<DirectionState, 2> sides;
    bool closed = false;
    // A hello showed the guessed direction (no SYN seen) was backwards.
    bool reverse_direction = false;
    Flow* newer = nullptr;
    Flow* older = nullptr;

    DirectionState& state(Side side) { return sides[static_cast<std::size_t>(side)]; }
};

namespace {

// Receives one direction's TLS events and dates them from the segment log.
class TlsRecorder final : public TlsHandler {
public:
    TlsRecorder(Flow& flow, Side side, std::int64_t now_ns) : flow_(flow), side_(side), now_ns_(now_ns) {}

    void on_client_hello(ClientHello&& hello, std::uint64_t begin, std::uint64_t end) override
    {
        if (side_ != Side::client && !reverse_guess(begin, "client_hello.from_server")) {
            return;
        }
        auto& record = flow_.timeline.client_hello.emplace();
        record.hello = std::move(hello);
        date(record, begin, end);
    }

    void on_server_hello(const ServerHello& hello, std::uint64_t begin, std::uint64_t end) override
    {
        if (side_ != Side::server && !reverse_guess(begin, "server_hello.from_client")) {
            return;
        }
        auto& record = flow_.timeline.server_hello.emplace();
        record.hello = hello;
        date(record, begin, end);
    }

    void on_change_cipher_spec(std::uint64_t at) override
    {
        auto& d = direction();
        if (!d.change_cipher_spec_ns) {
            d.change_cipher_spec_ns = time_of(at);
        }
    }

    void on_alert(std::uint8_t level, std::uint8_t description, std::uint64_t at) override
    {
        auto& d = direction();
        if (d.alerts.size() < max_alerts) {
            d.alerts.push_back({time_of(at), level, description});
        }
    }

    void on_first_encrypted(std::uint64_t at) override { direction().first_encrypted_ns = time_of(at); }

    void on_not_tls() override { direction().not_tls = true; }

    void on_error(const TlsParseError& error) override
    {
        auto& d = direction();
        if (!d.tls_error) {
            d.tls_error = error;
        }
    }

private:
    DirectionRecord& direction() { return flow_.timeline.direction(side_); }

    // A hello from the wrong side: when the direction was only guessed from
    // the ports, the hello is right and the guess wrong (the caller swaps
    // the sides once this feed is done); with a SYN seen it is an error.
    bool reverse_guess(std::uint64_t at, std::string_view field)
    {
        if (!flow_.timeline.direction_inferred) {
            on_error({static_cast<std::size_t>(at), field});
            return false;
        }
        flow_.reverse_direction = true;
        return true;
    }

    [[nodiscard]] std::int64_t time_of(std::uint64_t offset) const
    {
        std::int64_t best = now_ns_;
        for (const auto& s : flow_.state(side_).segments) {
            if (overlaps(s, offset, offset + 1)) {
                best = std::min(best, s.t_ns);
            }
        }
        return best;
    }

    template <typename Record>
    void date(Record& record, std::uint64_t begin, std::uint64_t end)
    {
        record.begin = begin;
        record.end = end;
        record.t_ns = time_of(begin);
        for (const auto& s : flow_.state(side_).segments) {
            if (s.retransmission && overlaps(s, begin, end)) {
                record.retransmissions.add(s.t_ns);
            }
        }
    }

    Flow& flow_;
    Side side_;
    std::int64_t now_ns_;
};

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
    TlsRecorder recorder(flow, side, p.t_ns);
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

void finalize(Flow& flow, FlowEnd reason)
{
    flow.timeline.end = reason;
    for (Side side : {Side::client, Side::server}) {
        const DirectionState& state = flow.state(side);
        flow.timeline.direction(side).tls_gap = !state.tls.finished() && state.reassembler.gap();
    }
}

}  // namespace

std::size_t FlowKeyHash::operator()(const FlowKey& key) const
{
    std::uint64_t h = key.version;
    h = mix(h, load64(key.low_ip.data()));
    h = mix(h, load64(key.low_ip.data() + 8));
    h = mix(h, load64(key.high_ip.data()));
    h = mix(h, load64(key.high_ip.data() + 8));
    h = mix(h, (std::uint64_t{key.low_port} << 16U) | key.high_port);
    return static_cast<std::size_t>(h ^ (h >> 32U));
}

FlowKey flow_key(const TcpPacket& packet)
{
    FlowKey key;
    key.version = packet.src.version;
    const auto src = std::make_pair(packet.src.bytes, packet.src_port);
    const auto dst = std::make_pair(packet.dst.bytes, packet.dst_port);
    const bool src_low = src < dst;
    const auto& low = src_low ? src : dst;
    const auto& high = src_low ? dst : src;
    key.low_ip = low.first;
    key.low_port = low.second;
    key.high_ip = high.first;
    key.high_port = high.second;
    return key;
}

FlowTable::FlowTable(FlowTableConfig config, Sink sink) : config_(config), sink_(std::move(sink))
{
    flows_.reserve(std::min<std::size_t>(config_.max_flows, 65536));
}

FlowTable::~FlowTable() = default;

void FlowTable::unlink(Flow& flow)
{
    (flow.newer ? flow.newer->older : lru_head_) = flow.older;
    (flow.older ? flow.older->newer : lru_tail_) = flow.newer;
    flow.newer = nullptr;
    flow.older = nullptr;
}

void FlowTable::touch(Flow& flow)
{
    if (lru_head_ == &flow) {
        return;
    }
    if (flow.newer != nullptr || flow.older != nullptr || lru_tail_ == &flow) {
        unlink(flow);
    }
    flow.older = lru_head_;
    if (lru_head_ != nullptr) {
        lru_head_->newer = &flow;
    }
    lru_head_ = &flow;
    if (lru_tail_ == nullptr) {
        lru_tail_ = &flow;
    }
}

void FlowTable::end(Flow& flow, FlowEnd reason)
{
    finalize(flow, reason);
    ++counters_.ended[static_cast<std::size_t>(reason)];
    if (last_ == &flow) {
        last_ = nullptr;
    }
    unlink(flow);
    auto node = flows_.extract(flow.key);
    sink_(node.mapped()->timeline);
}

Flow& FlowTable::create(const FlowKey& key, const TcpPacket& p)
{
    if (flows_.size() >= config_.max_flows && lru_tail_ != nullptr) {
        end(*lru_tail_, FlowEnd::evicted);
    }
    auto flow = std::make_unique<Flow>();
    flow->key = key;
    FlowTimeline& t = flow->timeline;
    t.id = ++counters_.flows_created;
    t.first_ns = p.t_ns;
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
    Flow& ref = *flow;
    flows_.emplace(key, std::move(flow));
    touch(ref);
    return ref;
}

void FlowTable::add(const TcpPacket& p)
{
    ++counters_.packets;
    if (p.t_ns >= next_expiry_ns_) {
        expire(p.t_ns);
    }
    const FlowKey key = flow_key(p);
    // Packets of one connection tend to come in runs (a request, its ACK, the
    // response): remembering the last flow saves most hash lookups.
    Flow* flow = last_ != nullptr && last_->key == key ? last_ : nullptr;
    if (flow == nullptr) {
        auto it = flows_.find(key);
        flow = it == flows_.end() ? nullptr : it->second.get();
    }
    const bool fresh_syn = p.has(tcp_flag::syn) && !p.has(tcp_flag::ack);
    if (flow != nullptr && fresh_syn) {
        // The same 4-tuple again: a new connection unless this repeats the SYN we have.
        const auto& syn = flow->timeline.syn;
        const bool same = syn && syn->isn == p.seq && !flow->closed;
        if (!same && (syn || flow->closed)) {
            end(*flow, FlowEnd::port_reused);
            flow = nullptr;
        }
    }
    if (flow == nullptr) {
        flow = &create(key, p);
    } else {
        touch(*flow);
    }
    last_ = flow;

    FlowTimeline& t = flow->timeline;
    Side side = sender(t, p);
    DirectionState& state = flow->state(side);
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
        add_payload(*flow, side, p);
        // A hello may have shown that a guessed direction was backwards.
        side = sender(t, p);
    }
    if (side == Side::server && p.has(tcp_flag::ack)) {
        note_ack(*flow, p);
    }
    if ((p.has(tcp_flag::fin) || p.has(tcp_flag::rst)) && note_close(*flow, side, p) && !flow->closed) {
        flow->closed = true;
        closing_.push_back({key, t.id, p.t_ns + config_.linger_ns});
    }
}

void FlowTable::expire(std::int64_t now_ns)
{
    next_expiry_ns_ = now_ns + expiry_interval_ns;
    while (!closing_.empty() && closing_.front().deadline_ns <= now_ns) {
        const Closing c = closing_.front();
        closing_.pop_front();
        auto it = flows_.find(c.key);
        if (it != flows_.end() && it->second->timeline.id == c.id) {
            const bool reset = it->second->timeline.rst_count > 0;
            end(*it->second, reset ? FlowEnd::reset : FlowEnd::closed);
        }
    }
    while (lru_tail_ != nullptr && lru_tail_->timeline.last_ns + config_.idle_timeout_ns <= now_ns) {
        end(*lru_tail_, FlowEnd::idle);
    }
}

void FlowTable::flush(FlowEnd reason)
{
    while (lru_tail_ != nullptr) {
        Flow& flow = *lru_tail_;
        if (flow.closed) {
            end(flow, flow.timeline.rst_count > 0 ? FlowEnd::reset : FlowEnd::closed);
        } else {
            end(flow, reason);
        }
    }
    closing_.clear();
}

}  // namespace tlsprobe::capture
