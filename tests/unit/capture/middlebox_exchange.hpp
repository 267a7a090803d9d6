#pragma once
// The incident as the client's capture shows it, as frames for a pcap: a
// TCP-terminating middlebox two hops away (TTL 253: it starts at 255) does
// the handshake, ACKs the ClientHello twice, and ten seconds later sends a
// FIN with relative sequence number 1: not a byte of ServerHello.
#include <cstdint>
#include <vector>

#include "tests/unit/capture/conversation.hpp"
#include "tests/unit/capture/pcap_file.hpp"

namespace tlsprobe::capture::test {

inline Peer proxy_lab_client(std::uint16_t port = 20001)
{
    return {ipv4_address(198, 18, 1, 2), port, mac(0x12), 64, 437'109'226};
}

// The address the client connects to; what answers is the middlebox.
inline Peer proxy_lab_server()
{
    return {ipv4_address(198, 18, 100, 10), 443, mac(0x64), 253, 351'762'613};
}

struct Exchange {
    std::vector<TimedFrame> frames;
    std::uint32_t client_hello_length = 0;   // bytes of its record, header included
};

// Frames sink into `out`; times from `t0_ns`:
//   +0 SYN, +0.1 ms SYN-ACK (TTL 253), +0.2 ms ACK, +1 ms ClientHello,
//   +1.05 ms and +1.06 ms ACK of the ClientHello (TTL 253),
//   +10001 ms FIN-ACK from the middlebox (relative seq 1), +10001.1 ms the
//   client's FIN-ACK, +10001.2 ms the last ACK.
inline Exchange middlebox_exchange(std::int64_t t0_ns, Peer client = proxy_lab_client(),
                                   Peer server = proxy_lab_server())
{
    Exchange exchange;
    Conversation c(
        [&exchange](std::int64_t t_ns, std::span<const std::byte> frame, std::uint32_t) {
            exchange.frames.push_back({t_ns, Bytes(frame.begin(), frame.end())});
        },
        client, server);
    constexpr std::int64_t us = 1000;
    ClientHelloSpec spec;
    spec.random = random_of(0x31);
    const Bytes hello = client_hello_record(spec);
    exchange.client_hello_length = static_cast<std::uint32_t>(hello.size());
    c.send(Side::client, t0_ns, tcp_flag::syn);
    c.send(Side::server, t0_ns + 100 * us, tcp_flag::syn | tcp_flag::ack);
    c.send(Side::client, t0_ns + 200 * us, tcp_flag::ack);
    c.send(Side::client, t0_ns + 1000 * us, tcp_flag::psh | tcp_flag::ack, hello);
    c.send(Side::server, t0_ns + 1050 * us, tcp_flag::ack);
    c.send(Side::server, t0_ns + 1060 * us, tcp_flag::ack);
    c.send(Side::server, t0_ns + 10'001'000 * us, tcp_flag::fin | tcp_flag::ack);
    c.send(Side::client, t0_ns + 10'001'100 * us, tcp_flag::fin | tcp_flag::ack);
    c.send(Side::server, t0_ns + 10'001'200 * us, tcp_flag::ack);
    return exchange;
}

}  // namespace tlsprobe::capture::test
