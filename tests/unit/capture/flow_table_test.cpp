#include "capture/flow_table.hpp"

#include <gtest/gtest.h>

#include "capture/tls_hello.hpp"
#include "core/hex.hpp"
#include "tests/unit/capture/conversation.hpp"

namespace tlsprobe::capture {
namespace {

using namespace test;

constexpr std::uint8_t ack = tcp_flag::ack;
constexpr std::uint8_t psh_ack = tcp_flag::psh | tcp_flag::ack;
constexpr std::uint8_t fin_ack = tcp_flag::fin | tcp_flag::ack;

ClientHelloSpec hello_spec(unsigned seed, std::size_t padding = 0)
{
    ClientHelloSpec spec;
    spec.random = random_of(seed);
    spec.padding = padding;
    return spec;
}

TEST(FlowTable, HealthyTls13ConnectionTimeline)
{
    Collector out;
    Conversation c(out.pipeline, default_client(), default_server());
    c.handshake(ms(0));
    const Bytes hello = client_hello_record(hello_spec(1));
    c.send(Side::client, ms(3), psh_ack, hello);
    // The ACK of the ClientHello, seen twice (the incident's healthy signature).
    c.send(Side::server, ms(4), ack, {}, Overrides{}.with_ip_id(77));
    c.send(Side::server, ms(4) + 10, ack, {}, Overrides{}.with_ip_id(78));
    Bytes flight = server_hello_record(random_of(9));
    append(flight, tls_record(20, bytes_of({1})));
    append(flight, tls_record(23, filled(100, 0x55)));
    c.send(Side::server, ms(5), psh_ack, flight);
    c.send(Side::client, ms(6), psh_ack, tls_record(23, filled(60, 0x66)));
    c.send(Side::client, ms(7), fin_ack);
    c.send(Side::server, ms(8), fin_ack);
    c.send(Side::client, ms(9), ack);
    // The linger time passes in packet time: another flow's packet ends this one.
    Conversation later(out.pipeline, {ipv4_address(198, 18, 0, 11), 40002, mac(0x11), 64, 5}, default_server());
    later.send(Side::client, ms(3000), tcp_flag::syn);
    ASSERT_EQ(out.flows.size(), 1U);
    const FlowTimeline& t = out.flows[0];

    EXPECT_EQ(t.end, FlowEnd::closed);
    EXPECT_FALSE(t.direction_inferred);
    EXPECT_EQ(t.client_port, 40001);
    EXPECT_EQ(t.server_port, 443);
    ASSERT_TRUE(t.syn && t.syn_ack);
    EXPECT_EQ(t.syn->first.t_ns, ms(0));
    EXPECT_EQ(t.syn->isn, 1'000'000U);
    EXPECT_EQ(t.syn->options.tsval, 1000U);
    EXPECT_EQ(t.syn_ack->first.t_ns, ms(1));
    EXPECT_EQ(t.syn_ack->isn, 7'000'000U);
    EXPECT_EQ(t.syn_ack->first.ttl, 61);
    EXPECT_EQ(t.handshake_ack_ns, ms(2));

    ASSERT_TRUE(t.client_hello);
    EXPECT_EQ(t.client_hello->t_ns, ms(3));
    EXPECT_EQ(t.client_hello->begin, 0U);
    EXPECT_EQ(t.client_hello->end, hello.size());
    EXPECT_EQ(core::to_hex(t.client_hello->hello.random), random_hex(1));
    EXPECT_EQ(t.client_hello->hello.sni, "probe.example");
    ASSERT_TRUE(t.client_hello_acked);
    EXPECT_EQ(t.client_hello_acked->t_ns, ms(4));
    EXPECT_EQ(t.client_hello_acked->ttl, 61);
    EXPECT_EQ(t.client_hello_acked->ip_id, 77);
    EXPECT_EQ(t.client_hello_acked->src_mac, mac(0x20));
    EXPECT_EQ(t.client_hello_pure_acks, 2U);

    ASSERT_TRUE(t.server_hello);
    EXPECT_EQ(t.server_hello->t_ns, ms(5));
    EXPECT_EQ(t.server_hello->hello.version(), 0x0304);
    EXPECT_EQ(t.server.change_cipher_spec_ns, ms(5));
    EXPECT_EQ(t.server.first_encrypted_ns, ms(5));
    EXPECT_EQ(t.client.first_encrypted_ns, ms(6));

    EXPECT_EQ(t.client.payload_bytes, hello.size() + 65);
    EXPECT_EQ(t.server.payload_bytes, flight.size());
    EXPECT_EQ(t.client.packets, 6U);
    EXPECT_EQ(t.server.packets, 5U);
    ASSERT_EQ(t.closes.size(), 2U);
    EXPECT_EQ(t.closed_first(), Side::client);
    EXPECT_EQ(t.closes[0].rel_seq, hello.size() + 65 + 1);
    EXPECT_EQ(t.closes[1].from, Side::server);
    EXPECT_EQ(t.closes[1].rel_seq, flight.size() + 1);
}

// The incident, client vantage: a middlebox two hops away ACKs the
// ClientHello (TTL 253, another MAC); no ServerHello; after 10 s a FIN "from
// the server" with relative sequence 1.
TEST(FlowTable, MiddleboxAckedClientHelloAndSilentFin)
{
    Collector out;
    Conversation c(out.pipeline, default_client(), default_server());
    c.handshake(ms(0));
    c.send(Side::client, ms(3), psh_ack, client_hello_record(hello_spec(2)));
    c.send(Side::server, ms(4), ack, {}, Overrides{}.with_ttl(253).with_mac(mac(0x99)).with_ip_id(5));
    c.send(Side::server, ms(10'004), fin_ack, {}, Overrides{}.with_ttl(253).with_mac(mac(0x99)));
    out.finish();
    ASSERT_EQ(out.flows.size(), 1U);
    const FlowTimeline& t = out.flows[0];
    EXPECT_FALSE(t.server_hello.has_value());
    ASSERT_TRUE(t.client_hello_acked);
    EXPECT_EQ(t.client_hello_acked->ttl, 253);
    EXPECT_EQ(t.client_hello_acked->src_mac, mac(0x99));
    EXPECT_EQ(t.client_hello_pure_acks, 1U);
    ASSERT_EQ(t.closes.size(), 1U);
    EXPECT_EQ(t.closes[0].from, Side::server);
    EXPECT_FALSE(t.closes[0].rst);
    EXPECT_EQ(t.closes[0].rel_seq, 1U);
    EXPECT_EQ(t.closes[0].ttl, 253);
    EXPECT_EQ(t.closed_first(), Side::server);
    EXPECT_EQ(t.server.payload_bytes, 0U);
    // Path evidence: the "server" direction arrived with two TTLs and two MACs.
    EXPECT_EQ(t.server.ttls.items().size(), 2U);
    EXPECT_EQ(t.server.src_macs.items().size(), 2U);
    EXPECT_EQ(t.end, FlowEnd::capture_end);
}

TEST(FlowTable, ClientHelloAcrossThreeSegments)
{
    Collector out;
    Conversation c(out.pipeline, default_client(), default_server());
    c.handshake(ms(0));
    const Bytes hello = client_hello_record(hello_spec(3, 3000));
    const std::size_t third = hello.size() / 3;
    c.send(Side::client, ms(3), ack, Bytes(hello.begin(), hello.begin() + static_cast<std::ptrdiff_t>(third)));
    c.send(Side::server, ms(4), ack);
    c.send(Side::client, ms(5), ack,
           Bytes(hello.begin() + static_cast<std::ptrdiff_t>(third), hello.begin() + static_cast<std::ptrdiff_t>(2 * third)));
    c.send(Side::client, ms(6), psh_ack, Bytes(hello.begin() + static_cast<std::ptrdiff_t>(2 * third), hello.end()));
    c.send(Side::server, ms(7), ack);
    out.finish();
    const FlowTimeline& t = out.flows.at(0);
    ASSERT_TRUE(t.client_hello);
    EXPECT_EQ(t.client_hello->t_ns, ms(3));
    EXPECT_EQ(t.client_hello->end, hello.size());
    EXPECT_EQ(core::to_hex(t.client_hello->hello.random), random_hex(3));
    // The ACK of the first segment does not cover the hello; the last one does.
    ASSERT_TRUE(t.client_hello_acked);
    EXPECT_EQ(t.client_hello_acked->t_ns, ms(7));
    EXPECT_EQ(t.client_hello->retransmissions.count, 0U);
}

TEST(FlowTable, RetransmittedClientHello)
{
    Collector out;
    Conversation c(out.pipeline, default_client(), default_server());
    c.handshake(ms(0));
    const Bytes hello = client_hello_record(hello_spec(4));
    c.send(Side::client, ms(3), psh_ack, hello);
    c.send(Side::client, ms(210), psh_ack, hello, Overrides{}.with_seq(c.seq_at(Side::client, 0)));
    c.send(Side::client, ms(630), psh_ack, hello, Overrides{}.with_seq(c.seq_at(Side::client, 0)));
    out.finish();
    const FlowTimeline& t = out.flows.at(0);
    ASSERT_TRUE(t.client_hello);
    EXPECT_EQ(t.client_hello->t_ns, ms(3));
    ASSERT_EQ(t.client_hello->retransmissions.count, 2U);
    EXPECT_EQ(t.client_hello->retransmissions.kept()[0], ms(210));
    EXPECT_EQ(t.client_hello->retransmissions.kept()[1], ms(630));
    EXPECT_EQ(t.client.retransmitted_segments, 2U);
    EXPECT_FALSE(t.client_hello_acked.has_value());
}

TEST(FlowTable, OutOfOrderClientHello)
{
    Collector out;
    Conversation c(out.pipeline, default_client(), default_server());
    c.handshake(ms(0));
    const Bytes hello = client_hello_record(hello_spec(5, 1000));
    const auto half = static_cast<std::ptrdiff_t>(hello.size() / 2);
    // The second half is captured first.
    c.send(Side::client, ms(3), psh_ack, Bytes(hello.begin() + half, hello.end()),
           Overrides{}.with_seq(c.seq_at(Side::client, static_cast<std::uint32_t>(half))));
    c.send(Side::client, ms(4), ack, Bytes(hello.begin(), hello.begin() + half), Overrides{}.with_seq(c.seq_at(Side::client, 0)));
    out.finish();
    const FlowTimeline& t = out.flows.at(0);
    ASSERT_TRUE(t.client_hello);
    EXPECT_EQ(t.client_hello->t_ns, ms(4));
    EXPECT_EQ(t.client.out_of_order_segments, 1U);
    EXPECT_EQ(t.client.retransmitted_segments, 0U);
    EXPECT_FALSE(t.client.tls_gap);
}

TEST(FlowTable, SnaplenCutClientHelloLeavesAGap)
{
    Collector out;
    Conversation c(out.pipeline, default_client(), default_server());
    c.handshake(ms(0));
    c.send(Side::client, ms(3), psh_ack, client_hello_record(hello_spec(6)), Overrides{}.with_snaplen(96));
    out.finish();
    const FlowTimeline& t = out.flows.at(0);
    EXPECT_FALSE(t.client_hello.has_value());
    EXPECT_EQ(t.client.truncated_packets, 1U);
    EXPECT_TRUE(t.client.tls_gap);
}

TEST(FlowTable, MidstreamResetFromTheServer)
{
    Collector out;
    Conversation c(out.pipeline, default_client(), default_server());
    c.handshake(ms(0));
    c.send(Side::client, ms(3), psh_ack, client_hello_record(hello_spec(7)));
    c.send(Side::server, ms(4), psh_ack, server_hello_record(random_of(8)));
    c.send(Side::server, ms(50), tcp_flag::rst | tcp_flag::ack, {}, Overrides{}.with_ttl(250));
    out.pipeline.table().expire(ms(50) + 2'000'000'000);
    ASSERT_EQ(out.flows.size(), 1U);
    const FlowTimeline& t = out.flows[0];
    EXPECT_EQ(t.end, FlowEnd::reset);
    ASSERT_EQ(t.closes.size(), 1U);
    EXPECT_TRUE(t.closes[0].rst);
    EXPECT_EQ(t.closes[0].from, Side::server);
    EXPECT_EQ(t.closes[0].ttl, 250);
    EXPECT_EQ(t.rst_count, 1U);
}

TEST(FlowTable, ANewSynOnTheSameTupleStartsANewTimeline)
{
    Collector out;
    Conversation first(out.pipeline, default_client(), default_server());
    first.handshake(ms(0));
    first.send(Side::client, ms(5), tcp_flag::syn, {}, Overrides{}.with_seq(1'000'000));  // same ISN: a retransmitted SYN
    Peer again = default_client();
    again.isn = 9'000'000;
    Conversation second(out.pipeline, again, default_server());
    second.handshake(ms(100));
    out.finish();
    ASSERT_EQ(out.flows.size(), 2U);
    EXPECT_EQ(out.flows[0].end, FlowEnd::port_reused);
    EXPECT_EQ(out.flows[0].syn->retransmissions.count, 1U);
    EXPECT_EQ(out.flows[1].syn->isn, 9'000'000U);
    EXPECT_EQ(out.flows[1].end, FlowEnd::capture_end);
}

TEST(FlowTable, FlowWithoutSynGuessesTheClientFromThePorts)
{
    Collector out;
    Conversation c(out.pipeline, default_client(), default_server());
    // First packet seen goes from the server (port 443) to the client.
    c.send(Side::server, ms(0), psh_ack, filled(10, 0x17));
    c.send(Side::client, ms(1), fin_ack);
    out.finish();
    const FlowTimeline& t = out.flows.at(0);
    EXPECT_TRUE(t.direction_inferred);
    EXPECT_EQ(t.server_port, 443);
    EXPECT_EQ(t.client_port, 40001);
    EXPECT_EQ(t.server.payload_bytes, 10U);
    // Numbered from the first packet seen: its first byte is relative 1.
    EXPECT_EQ(t.closes.at(0).rel_seq, 1U);
}

TEST(FlowTable, AHelloCorrectsAGuessedDirection)
{
    Collector out;
    // Both ports unprivileged and the client's lower: the port rule guesses wrong.
    Peer client = default_client();
    client.port = 30000;
    Peer server = default_server();
    server.port = 38851;
    Conversation c(out.pipeline, client, server);
    c.send(Side::client, ms(0), ack);
    c.send(Side::client, ms(1), psh_ack, client_hello_record(hello_spec(11)));
    c.send(Side::server, ms(2), ack);
    c.send(Side::server, ms(3), psh_ack, server_hello_record(random_of(12)));
    c.send(Side::server, ms(4), fin_ack, {}, Overrides{}.with_ttl(250));
    out.finish();
    const FlowTimeline& t = out.flows.at(0);
    EXPECT_TRUE(t.direction_inferred);
    EXPECT_EQ(t.client_port, 30000);
    EXPECT_EQ(t.server_port, 38851);
    ASSERT_TRUE(t.client_hello && t.server_hello);
    EXPECT_EQ(core::to_hex(t.client_hello->hello.random), random_hex(11));
    EXPECT_EQ(t.client.packets, 2U);
    EXPECT_EQ(t.server.packets, 3U);
    ASSERT_TRUE(t.client_hello_acked);
    EXPECT_EQ(t.client_hello_acked->t_ns, ms(2));
    ASSERT_EQ(t.closes.size(), 1U);
    EXPECT_EQ(t.closes[0].from, Side::server);
    EXPECT_EQ(t.closes[0].ttl, 250);
    EXPECT_FALSE(t.client.tls_error.has_value());
}

TEST(FlowTable, IdleFlowsAndTheFlowCapEvict)
{
    FlowTableConfig config;
    config.idle_timeout_ns = 30'000'000'000;
    config.max_flows = 2;
    Collector out(config);
    for (std::uint16_t i = 0; i < 3; ++i) {
        Peer client = default_client();
        client.port = static_cast<std::uint16_t>(50000 + i);
        Conversation(out.pipeline, client, default_server()).send(Side::client, ms(i), tcp_flag::syn);
    }
    ASSERT_EQ(out.flows.size(), 1U);
    EXPECT_EQ(out.flows[0].client_port, 50000);
    EXPECT_EQ(out.flows[0].end, FlowEnd::evicted);
    out.pipeline.table().expire(ms(2) + config.idle_timeout_ns);
    ASSERT_EQ(out.flows.size(), 3U);
    EXPECT_EQ(out.flows[1].end, FlowEnd::idle);
    EXPECT_EQ(out.flows[2].end, FlowEnd::idle);
    const auto& counters = out.pipeline.table().counters();
    EXPECT_EQ(counters.ended_by(FlowEnd::evicted), 1U);
    EXPECT_EQ(counters.ended_by(FlowEnd::idle), 2U);
    EXPECT_EQ(out.pipeline.table().size(), 0U);
}

TEST(FlowTable, PlainHttpIsMarkedNotTls)
{
    Collector out;
    Conversation c(out.pipeline, default_client(), default_server());
    c.handshake(ms(0));
    c.send(Side::client, ms(3), psh_ack, text("GET / HTTP/1.1\r\n\r\n"));
    out.finish();
    const FlowTimeline& t = out.flows.at(0);
    EXPECT_TRUE(t.client.not_tls);
    EXPECT_FALSE(t.client.tls);
    EXPECT_FALSE(t.client_hello.has_value());
}

}  // namespace
}  // namespace tlsprobe::capture
