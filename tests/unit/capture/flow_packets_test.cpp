// The packets of given connections out of a pcap file: flags, relative
// numbers, lengths, TTLs and what the payload begins with, one pass for all.
#include "capture/flow_packets.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/errors.hpp"
#include "temp_dir.hpp"
#include "tests/unit/capture/middlebox_exchange.hpp"

namespace tlsprobe::capture {
namespace {

using namespace test;
namespace fs = std::filesystem;

constexpr std::int64_t t0 = base_ns;
constexpr std::int64_t one_ms = 1'000'000;

ConnectionQuery query_of(const Peer& client, const Peer& server, std::int64_t from_ns = t0,
                         std::int64_t to_ns = t0 + 10'002 * one_ms)
{
    return {.client_ip = client.ip,
            .client_port = client.port,
            .server_ip = server.ip,
            .server_port = server.port,
            .from_ns = from_ns,
            .to_ns = to_ns};
}

std::vector<TimedFrame> sorted(std::vector<TimedFrame> frames)
{
    std::stable_sort(frames.begin(), frames.end(),
                     [](const TimedFrame& a, const TimedFrame& b) { return a.t_ns < b.t_ns; });
    return frames;
}

TEST(FlowPackets, TheIncidentExchangeFromTheClientCapture)
{
    testing::TempDir dir;
    const auto path = dir.path() / "client.pcap";
    const auto exchange = middlebox_exchange(t0);
    write_pcap(path, exchange.frames);

    const ConnectionQuery query = query_of(proxy_lab_client(), proxy_lab_server());
    const auto read = read_flow_packets(path, std::span(&query, 1));
    ASSERT_EQ(read.connections.size(), 1U);
    EXPECT_FALSE(read.input_error.has_value());
    const auto& packets = read.connections[0].packets;
    ASSERT_EQ(packets.size(), 9U);
    EXPECT_EQ(read.connections[0].more, 0U);

    const auto& syn = packets[0];
    EXPECT_EQ(syn.from, Side::client);
    EXPECT_EQ(syn.flags, tcp_flag::syn);
    EXPECT_EQ(syn.t_ns, t0);
    EXPECT_EQ(syn.ttl, 64);
    EXPECT_EQ(syn.rel_seq, 0U);
    EXPECT_FALSE(syn.rel_ack.has_value());
    EXPECT_EQ(to_string(syn.src_ip), "198.18.1.2");
    EXPECT_EQ(syn.src_port, 20001);
    EXPECT_EQ(to_string(syn.dst_ip), "198.18.100.10");
    EXPECT_EQ(syn.dst_port, 443);

    const auto& syn_ack = packets[1];
    EXPECT_EQ(syn_ack.from, Side::server);
    EXPECT_EQ(syn_ack.flags, tcp_flag::syn | tcp_flag::ack);
    EXPECT_EQ(syn_ack.ttl, 253);
    EXPECT_EQ(syn_ack.rel_seq, 0U);
    EXPECT_EQ(syn_ack.rel_ack, 1U);
    EXPECT_EQ(syn_ack.seq, proxy_lab_server().isn);

    const auto& hello = packets[3];
    EXPECT_EQ(hello.tls, TlsStart::client_hello);
    EXPECT_EQ(hello.payload_length, exchange.client_hello_length);
    EXPECT_EQ(hello.tls_record_length, exchange.client_hello_length - 5);
    EXPECT_EQ(hello.rel_seq, 1U);
    EXPECT_EQ(hello.rel_ack, 1U);
    EXPECT_EQ(hello.ttl, 64);

    for (const auto* ack : {&packets[4], &packets[5]}) {
        EXPECT_EQ(ack->from, Side::server);
        EXPECT_EQ(ack->flags, tcp_flag::ack);
        EXPECT_EQ(ack->payload_length, 0U);
        EXPECT_EQ(ack->ttl, 253);
        EXPECT_EQ(ack->rel_ack, 1 + exchange.client_hello_length);
        EXPECT_EQ(ack->tls, TlsStart::none);
    }
    EXPECT_EQ(packets[4].t_ns, t0 + 1'050'000);

    const auto& fin = packets[6];
    EXPECT_EQ(fin.from, Side::server);
    EXPECT_EQ(fin.flags, tcp_flag::fin | tcp_flag::ack);
    EXPECT_EQ(fin.rel_seq, 1U);   // the incident's FIN: not a byte of payload before it
    EXPECT_EQ(fin.ttl, 253);
    EXPECT_EQ(fin.t_ns, t0 + 10'001 * one_ms);
    EXPECT_EQ(packets[7].rel_seq, 1 + exchange.client_hello_length);
}

TEST(FlowPackets, OnePassPicksEachConnectionByItsTupleAndTimeWindow)
{
    testing::TempDir dir;
    const auto path = dir.path() / "client.pcap";
    auto frames = middlebox_exchange(t0).frames;
    // Another source port, and the same 4-tuple reused a minute later.
    const auto other = middlebox_exchange(t0 + 5 * one_ms, proxy_lab_client(20002)).frames;
    const auto reused = middlebox_exchange(t0 + 60'000 * one_ms).frames;
    frames.insert(frames.end(), other.begin(), other.end());
    frames.insert(frames.end(), reused.begin(), reused.end());
    write_pcap(path, sorted(frames));

    const std::vector<ConnectionQuery> queries{
        query_of(proxy_lab_client(20002), proxy_lab_server(), t0 + 5 * one_ms, t0 + 10'010 * one_ms),
        query_of(proxy_lab_client(), proxy_lab_server()),
        query_of(proxy_lab_client(), proxy_lab_server(), t0 + 60'000 * one_ms, t0 + 70'002 * one_ms),
        query_of(proxy_lab_client(20003), proxy_lab_server()),
    };
    const auto read = read_flow_packets(path, queries);
    ASSERT_EQ(read.connections.size(), 4U);
    EXPECT_EQ(read.connections[0].packets.size(), 9U);
    EXPECT_EQ(read.connections[0].packets.front().src_port, 20002);
    EXPECT_EQ(read.connections[1].packets.size(), 9U);
    EXPECT_EQ(read.connections[1].packets.back().t_ns, t0 + 10'001'200'000);
    ASSERT_EQ(read.connections[2].packets.size(), 9U);
    EXPECT_EQ(read.connections[2].packets.front().t_ns, t0 + 60'000 * one_ms);
    EXPECT_TRUE(read.connections[3].packets.empty());
}

TEST(FlowPackets, BoundedPerConnectionWithACountOfTheRest)
{
    testing::TempDir dir;
    const auto path = dir.path() / "client.pcap";
    write_pcap(path, middlebox_exchange(t0).frames);
    const ConnectionQuery query = query_of(proxy_lab_client(), proxy_lab_server());
    const auto read = read_flow_packets(path, std::span(&query, 1), 4);
    ASSERT_EQ(read.connections[0].packets.size(), 4U);
    EXPECT_EQ(read.connections[0].more, 5U);
    EXPECT_EQ(read.connections[0].packets[3].tls, TlsStart::client_hello);
}

TEST(FlowPackets, WhatTheFirstBytesOfEachPayloadShow)
{
    testing::TempDir dir;
    const auto path = dir.path() / "server.pcap";
    std::vector<TimedFrame> frames;
    const Peer client = default_client();
    const Peer server = default_server();
    Conversation c(
        [&frames](std::int64_t t_ns, std::span<const std::byte> frame, std::uint32_t) {
            frames.push_back({t_ns, Bytes(frame.begin(), frame.end())});
        },
        client, server);
    c.handshake(ms(0));
    c.send(Side::client, ms(3), tcp_flag::psh | tcp_flag::ack, client_hello_record({}));
    Bytes flight = server_hello_record(random_of(0x42), 0xc02f, 0x0303);
    c.send(Side::server, ms(4), tcp_flag::psh | tcp_flag::ack, flight);
    c.send(Side::server, ms(5), tcp_flag::psh | tcp_flag::ack, tls_record(22, handshake_message(11, filled(40, 7))));
    c.send(Side::server, ms(6), tcp_flag::psh | tcp_flag::ack, tls_record(20, bytes_of({1})));
    // After its ChangeCipherSpec the server's Finished is encrypted; a first byte of 1 is not a ClientHello.
    c.send(Side::server, ms(7), tcp_flag::psh | tcp_flag::ack, tls_record(22, bytes_of({1, 9, 9, 9, 9})));
    c.send(Side::client, ms(8), tcp_flag::psh | tcp_flag::ack, tls_record(23, filled(30, 5)));
    c.send(Side::client, ms(9), tcp_flag::psh | tcp_flag::ack, text("GET / HTTP/1.1\r\n"));
    c.send(Side::server, ms(10), tcp_flag::psh | tcp_flag::ack, tls_record(21, bytes_of({2, 40})));
    c.send(Side::server, ms(11), tcp_flag::rst | tcp_flag::ack);
    write_pcap(path, frames);

    const ConnectionQuery query = query_of(client, server, ms(0), ms(11));
    const auto read = read_flow_packets(path, std::span(&query, 1));
    const auto& packets = read.connections.at(0).packets;
    ASSERT_EQ(packets.size(), 12U);
    std::vector<TlsStart> seen;
    for (const auto& p : packets) {
        seen.push_back(p.tls);
    }
    EXPECT_EQ(seen, (std::vector<TlsStart>{TlsStart::none, TlsStart::none, TlsStart::none, TlsStart::client_hello,
                                           TlsStart::server_hello, TlsStart::handshake, TlsStart::change_cipher_spec,
                                           TlsStart::encrypted_handshake, TlsStart::application_data, TlsStart::none,
                                           TlsStart::alert, TlsStart::none}));
    EXPECT_EQ(packets[4].tls_record_length, flight.size() - 5);
    EXPECT_EQ(packets[11].flags, tcp_flag::rst | tcp_flag::ack);
    EXPECT_EQ(packets[11].ttl, server.ttl);
}

TEST(FlowPackets, AFileCutShortDeliversWhatCameBefore)
{
    testing::TempDir dir;
    const auto path = dir.path() / "client.pcap";
    write_pcap(path, middlebox_exchange(t0).frames);
    fs::resize_file(path, fs::file_size(path) - 20);
    const ConnectionQuery query = query_of(proxy_lab_client(), proxy_lab_server());
    const auto read = read_flow_packets(path, std::span(&query, 1));
    ASSERT_TRUE(read.input_error.has_value());
    EXPECT_NE(read.input_error->find(path.string()), std::string::npos);
    EXPECT_EQ(read.connections[0].packets.size(), 8U);
}

TEST(FlowPackets, ErrorsNameTheFile)
{
    testing::TempDir dir;
    const ConnectionQuery query;
    const auto missing = dir.path() / "missing.pcap";
    try {
        (void)read_flow_packets(missing, std::span(&query, 1));
        FAIL() << "a missing file was read";
    } catch (const core::InputError& error) {
        EXPECT_NE(std::string(error.what()).find(missing.string()), std::string::npos);
    }
    const auto not_pcap = dir.path() / "notes.txt";
    std::ofstream(not_pcap) << "not a capture\n";
    EXPECT_THROW((void)read_flow_packets(not_pcap, std::span(&query, 1)), core::InputError);
}

}  // namespace
}  // namespace tlsprobe::capture
