#pragma once
// A scripted TCP connection for the flow table tests: each call puts one
// Ethernet/IPv4 frame through a FramePipeline, with sequence and ack numbers
// following the bytes sent unless the test overrides them.
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "capture/frame_pipeline.hpp"
#include "tests/unit/capture/wire_builder.hpp"

namespace tlsprobe::capture::test {

struct Peer {
    IpAddress ip;
    std::uint16_t port = 0;
    MacAddress mac{};
    std::uint8_t ttl = 64;
    std::uint32_t isn = 0;
};

struct Overrides {
    std::optional<std::uint32_t> seq;
    std::optional<std::uint32_t> ack;
    std::optional<std::uint8_t> ttl;
    std::optional<MacAddress> mac;
    std::uint16_t ip_id = 0;
    // Keep only this many bytes of the frame, as a snaplen would.
    std::optional<std::size_t> snaplen;

    [[nodiscard]] Overrides with_seq(std::uint32_t v) const { return set(&Overrides::seq, v); }
    [[nodiscard]] Overrides with_ttl(std::uint8_t v) const { return set(&Overrides::ttl, v); }
    [[nodiscard]] Overrides with_mac(MacAddress v) const { return set(&Overrides::mac, v); }
    [[nodiscard]] Overrides with_ip_id(std::uint16_t v) const { return set(&Overrides::ip_id, v); }
    [[nodiscard]] Overrides with_snaplen(std::size_t v) const { return set(&Overrides::snaplen, v); }

private:
    template <typename Member, typename Value>
    [[nodiscard]] Overrides set(Member member, Value v) const
    {
        Overrides o = *this;
        o.*member = v;
        return o;
    }
};

constexpr std::int64_t base_ns = 1'700'000'000'000'000'000;
constexpr std::int64_t ms(std::int64_t n)
{
    return base_ns + n * 1'000'000;
}

class Collector {
public:
    explicit Collector(FlowTableConfig config = {})
        : pipeline(LinkType::ethernet, config, [this](const FlowTimeline& t) { flows.push_back(t); })
    {
    }
    std::vector<FlowTimeline> flows;
    FramePipeline pipeline;

    void finish() { pipeline.table().flush(FlowEnd::capture_end); }
};

// Where a Conversation's frames go: time, captured bytes, wire length.
using FrameSink = std::function<void(std::int64_t, std::span<const std::byte>, std::uint32_t)>;

class Conversation {
public:
    Conversation(FrameSink sink, Peer client, Peer server)
        : sink_(std::move(sink)), client_(client), server_(server), next_{client.isn, server.isn}
    {
    }
    Conversation(FramePipeline& pipeline, Peer client, Peer server)
        : Conversation(
              [&pipeline](std::int64_t t_ns, std::span<const std::byte> frame, std::uint32_t wire) {
                  pipeline.on_frame(t_ns, frame, wire);
              },
              client, server)
    {
    }

    void send(Side from, std::int64_t t_ns, std::uint8_t flags, const Bytes& payload = {}, const Overrides& o = {})
    {
        const Peer& src = from == Side::client ? client_ : server_;
        const Peer& dst = from == Side::client ? server_ : client_;
        std::uint32_t& next = next_[index(from)];
        const std::uint32_t seq = o.seq.value_or(next);
        const std::uint32_t ack = o.ack.value_or((flags & tcp_flag::ack) != 0 ? next_[index(other(from))] : 0U);
        const std::uint32_t end = seq + static_cast<std::uint32_t>(payload.size()) +
                                  ((flags & (tcp_flag::syn | tcp_flag::fin)) != 0 ? 1U : 0U);
        if (static_cast<std::int32_t>(end - next) > 0) {
            next = end;
        }
        const bool syn = (flags & tcp_flag::syn) != 0;
        const Bytes options = syn ? syn_options(from == Side::client ? 1000U : 2000U, from == Side::client ? 0U : 1000U)
                                  : Bytes{};
        const Bytes segment = tcp_segment({src.port, dst.port, seq, ack, flags, options, payload});
        Bytes frame = ethernet_frame(dst.mac, o.mac.value_or(src.mac), 0x0800,
                                     ipv4_packet(src.ip, dst.ip, segment, o.ttl.value_or(src.ttl), o.ip_id));
        const auto wire = static_cast<std::uint32_t>(frame.size());
        if (o.snaplen && *o.snaplen < frame.size()) {
            frame.resize(*o.snaplen);
        }
        sink_(t_ns, frame, wire);
    }

    // SYN at t, SYN-ACK at t+1 ms, ACK at t+2 ms.
    void handshake(std::int64_t t_ns)
    {
        send(Side::client, t_ns, tcp_flag::syn);
        send(Side::server, t_ns + 1'000'000, tcp_flag::syn | tcp_flag::ack);
        send(Side::client, t_ns + 2'000'000, tcp_flag::ack);
    }

    // Sequence number of the byte at stream offset `offset` sent by `side`.
    [[nodiscard]] std::uint32_t seq_at(Side side, std::uint32_t offset) const
    {
        return (side == Side::client ? client_.isn : server_.isn) + 1U + offset;
    }
    [[nodiscard]] std::uint32_t next(Side side) const { return next_[index(side)]; }

private:
    static std::size_t index(Side side) { return side == Side::client ? 0 : 1; }

    FrameSink sink_;
    Peer client_;
    Peer server_;
    std::uint32_t next_[2];
};

inline Peer default_client()
{
    return {ipv4_address(198, 18, 0, 10), 40001, mac(0x10), 64, 1'000'000};
}
inline Peer default_server()
{
    return {ipv4_address(198, 19, 0, 20), 443, mac(0x20), 61, 7'000'000};
}

}  // namespace tlsprobe::capture::test
