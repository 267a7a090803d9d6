#include "capture/decoder.hpp"

#include <gtest/gtest.h>

#include <random>

#include "tests/unit/capture/wire_builder.hpp"

namespace tlsprobe::capture {
namespace {

using namespace test;

const IpAddress client_ip = ipv4_address(198, 18, 0, 1);
const IpAddress server_ip = ipv4_address(198, 18, 0, 2);

Bytes syn_segment()
{
    return tcp_segment({40000, 443, 1000, 0, tcp_flag::syn, syn_options(111, 0), {}});
}

DecodeResult decode(LinkType link, const Bytes& frame, TcpPacket& packet, std::size_t wire_length = 0)
{
    const auto wire = static_cast<std::uint32_t>(wire_length == 0 ? frame.size() : wire_length);
    return decode_frame(link, frame, wire, packet);
}

TEST(Decoder, EthernetIpv4TcpWithSynOptions)
{
    const Bytes frame = ethernet_frame(mac(2), mac(1), 0x0800, ipv4_packet(client_ip, server_ip, syn_segment(), 61, 4242));
    TcpPacket p;
    const auto result = decode(LinkType::ethernet, frame, p);
    ASSERT_TRUE(result.ok()) << to_string(result.reason);
    EXPECT_EQ(p.src, client_ip);
    EXPECT_EQ(p.dst, server_ip);
    EXPECT_EQ(p.src_mac, mac(1));
    EXPECT_EQ(p.dst_mac, mac(2));
    EXPECT_EQ(p.ttl, 61);
    EXPECT_EQ(p.ip_id, 4242);
    EXPECT_EQ(p.src_port, 40000);
    EXPECT_EQ(p.dst_port, 443);
    EXPECT_EQ(p.seq, 1000U);
    EXPECT_TRUE(p.has(tcp_flag::syn));
    EXPECT_FALSE(p.has(tcp_flag::ack));
    EXPECT_EQ(p.options.mss, 1460);
    EXPECT_EQ(p.options.window_scale, 7);
    EXPECT_TRUE(p.options.sack_permitted);
    EXPECT_EQ(p.options.tsval, 111U);
    EXPECT_EQ(p.options.tsecr, 0U);
    EXPECT_EQ(p.payload_length, 0U);
    EXPECT_FALSE(p.truncated);
}

TEST(Decoder, VlanAndQinQTagsAreSkipped)
{
    const Bytes ip = ipv4_packet(client_ip, server_ip, syn_segment());
    for (const auto& tags : {std::vector<unsigned>{0x8100}, std::vector<unsigned>{0x88a8, 0x8100}}) {
        Bytes frame = tags.size() == 1 ? ethernet_frame(mac(2), mac(1), 0x0800, ip, {0x8100})
                                       : ethernet_frame(mac(2), mac(1), 0x0800, ip, {0x88a8, 0x8100});
        TcpPacket p;
        ASSERT_TRUE(decode(LinkType::ethernet, frame, p).ok());
        EXPECT_EQ(p.src_port, 40000);
    }
}

TEST(Decoder, TooManyVlanTagsIsCounted)
{
    const Bytes frame = ethernet_frame(mac(2), mac(1), 0x0800, ipv4_packet(client_ip, server_ip, syn_segment()),
                                       {0x8100, 0x8100, 0x8100, 0x8100, 0x8100});
    TcpPacket p;
    EXPECT_EQ(decode(LinkType::ethernet, frame, p).reason, DecodeReason::too_many_vlan_tags);
}

TEST(Decoder, LinuxCookedCapturesGiveTheSenderMac)
{
    const Bytes ip = ipv4_packet(client_ip, server_ip, syn_segment());
    TcpPacket p;
    ASSERT_TRUE(decode(LinkType::linux_sll, sll_frame(mac(9), 0x0800, ip), p).ok());
    EXPECT_EQ(p.src_mac, mac(9));
    EXPECT_FALSE(p.dst_mac.has_value());
    EXPECT_EQ(p.dst_port, 443);

    TcpPacket q;
    ASSERT_TRUE(decode(LinkType::linux_sll2, sll2_frame(mac(8), 0x0800, ip), q).ok());
    EXPECT_EQ(q.src_mac, mac(8));
    EXPECT_EQ(q.dst_port, 443);
}

TEST(Decoder, BsdLoopbackInEitherByteOrderAndDltLoop)
{
    const Bytes v4 = ipv4_packet(client_ip, server_ip, syn_segment());
    const Bytes v6 = ipv6_packet(ipv6_address(1), ipv6_address(2), syn_segment());
    struct Case {
        LinkType link;
        Bytes header;
        const Bytes* ip;
    };
    const std::vector<Case> cases{
        {LinkType::bsd_null, bytes_of({2, 0, 0, 0}), &v4},   // little-endian AF_INET
        {LinkType::bsd_null, bytes_of({0, 0, 0, 2}), &v4},   // big-endian AF_INET
        {LinkType::bsd_null, bytes_of({30, 0, 0, 0}), &v6},  // macOS AF_INET6
        {LinkType::bsd_loop, bytes_of({0, 0, 0, 24}), &v6},  // OpenBSD DLT_LOOP AF_INET6
    };
    for (const auto& c : cases) {
        Bytes frame = c.header;
        append(frame, *c.ip);
        TcpPacket p;
        const auto result = decode(c.link, frame, p);
        ASSERT_TRUE(result.ok()) << to_string(result.reason);
        EXPECT_EQ(p.dst_port, 443);
        EXPECT_FALSE(p.src_mac.has_value());
    }
}

TEST(Decoder, RawIpBothVersions)
{
    TcpPacket p;
    ASSERT_TRUE(decode(LinkType::raw_ip, ipv4_packet(client_ip, server_ip, syn_segment()), p).ok());
    EXPECT_EQ(p.src.version, 4);
    ASSERT_TRUE(decode(LinkType::raw_ip, ipv6_packet(ipv6_address(1), ipv6_address(2), syn_segment(), {}, 57), p).ok());
    EXPECT_EQ(p.src.version, 6);
    EXPECT_EQ(p.src, ipv6_address(1));
    EXPECT_EQ(p.ttl, 57);
    EXPECT_FALSE(p.ip_id.has_value());
    EXPECT_EQ(decode(LinkType::raw_ip, bytes_of({0x50, 0, 0, 0}), p).reason, DecodeReason::bad_ip_version);
}

TEST(Decoder, Ipv6ExtensionHeadersAreWalked)
{
    const std::vector<Ipv6Extension> chain{
        {0, filled(6, 1)},                          // hop-by-hop, 8 bytes
        {60, filled(14, 1)},                        // destination options, 16 bytes
        {43, filled(22, 0)},                        // routing, 24 bytes
        {44, bytes_of({0, 0, 0, 0, 0, 0})},         // atomic fragment: offset 0, M=0
    };
    const Bytes frame = ethernet_frame(mac(2), mac(1), 0x86dd, ipv6_packet(ipv6_address(1), ipv6_address(2), syn_segment(), chain));
    TcpPacket p;
    const auto result = decode(LinkType::ethernet, frame, p);
    ASSERT_TRUE(result.ok()) << to_string(result.reason) << " at " << result.offset << " " << result.field;
    EXPECT_EQ(p.dst_port, 443);
    EXPECT_EQ(p.options.tsval, 111U);
}

TEST(Decoder, FragmentsAreCountedNotDecoded)
{
    TcpPacket p;
    // IPv4 with more-fragments set.
    EXPECT_EQ(decode(LinkType::raw_ip, ipv4_packet(client_ip, server_ip, syn_segment(), 64, 1, 6, 0x2000), p).reason,
              DecodeReason::ip_fragment);
    // IPv6 fragment header with offset 8 (in 8-byte units, shifted by 3).
    const std::vector<Ipv6Extension> chain{{44, bytes_of({0, 8 << 3, 0, 0, 0, 1})}};
    EXPECT_EQ(decode(LinkType::raw_ip, ipv6_packet(ipv6_address(1), ipv6_address(2), syn_segment(), chain), p).reason,
              DecodeReason::ip_fragment);
}

TEST(Decoder, Ipv4OptionsNonTcpAndNonIp)
{
    TcpPacket p;
    const Bytes with_options = ipv4_packet(client_ip, server_ip, syn_segment(), 64, 1, 6, 0, bytes_of({1, 1, 1, 0}));
    ASSERT_TRUE(decode(LinkType::raw_ip, with_options, p).ok());
    EXPECT_EQ(p.dst_port, 443);
    EXPECT_EQ(decode(LinkType::raw_ip, ipv4_packet(client_ip, server_ip, filled(8, 0), 64, 1, 17), p).reason,
              DecodeReason::not_tcp);
    EXPECT_EQ(decode(LinkType::ethernet, ethernet_frame(mac(2), mac(1), 0x0806, filled(28, 0)), p).reason,
              DecodeReason::not_ip);
}

TEST(Decoder, SnaplenCutInsidePayloadIsMarkedTruncated)
{
    TcpSpec spec{40000, 443, 1001, 5001, tcp_flag::ack | tcp_flag::psh, {}, filled(500, 0x16)};
    const Bytes full = ethernet_frame(mac(2), mac(1), 0x0800, ipv4_packet(client_ip, server_ip, tcp_segment(spec)));
    const Bytes cut(full.begin(), full.begin() + 96);
    TcpPacket p;
    const auto result = decode(LinkType::ethernet, cut, p, full.size());
    ASSERT_TRUE(result.ok());
    EXPECT_TRUE(p.truncated);
    EXPECT_EQ(p.payload_length, 500U);
    EXPECT_EQ(p.payload.size(), 96U - 14 - 20 - 20);
}

TEST(Decoder, SnaplenCutInsideHeadersIsCountedAsTruncation)
{
    const Bytes full = ethernet_frame(mac(2), mac(1), 0x0800, ipv4_packet(client_ip, server_ip, syn_segment()));
    TcpPacket p;
    const Bytes in_tcp(full.begin(), full.begin() + 40);
    EXPECT_EQ(decode(LinkType::ethernet, in_tcp, p, full.size()).reason, DecodeReason::snaplen_truncated);
    const Bytes in_ip(full.begin(), full.begin() + 30);
    EXPECT_EQ(decode(LinkType::ethernet, in_ip, p, full.size()).reason, DecodeReason::snaplen_truncated);
    // The same bytes without a snaplen cut are broken frames.
    EXPECT_EQ(decode(LinkType::ethernet, in_tcp, p).reason, DecodeReason::bad_ipv4_total_length);
    EXPECT_EQ(decode(LinkType::ethernet, in_ip, p).reason, DecodeReason::truncated_ip_header);
}

TEST(Decoder, MalformedHeadersNameTheFieldAndOffset)
{
    Bytes ip = ipv4_packet(client_ip, server_ip, syn_segment());
    ip[0] = std::byte{0x43};  // IHL 3 words
    TcpPacket p;
    auto result = decode(LinkType::ethernet, ethernet_frame(mac(2), mac(1), 0x0800, ip), p);
    EXPECT_EQ(result.reason, DecodeReason::bad_ipv4_header_length);
    EXPECT_EQ(result.offset, 14U);
    EXPECT_EQ(result.field, "ipv4.ihl");

    Bytes tcp = syn_segment();
    tcp[12] = std::byte{0x20};  // data offset 2 words
    result = decode(LinkType::raw_ip, ipv4_packet(client_ip, server_ip, tcp), p);
    EXPECT_EQ(result.reason, DecodeReason::bad_tcp_data_offset);
    EXPECT_EQ(result.field, "tcp.data_offset");

    TcpSpec bad_option{40000, 443, 1, 0, tcp_flag::syn, bytes_of({2, 9, 0, 0}), {}};  // MSS claiming 9 bytes
    result = decode(LinkType::raw_ip, ipv4_packet(client_ip, server_ip, tcp_segment(bad_option)), p);
    EXPECT_EQ(result.reason, DecodeReason::bad_tcp_option);
    EXPECT_EQ(result.offset, 40U);

    Bytes long_total = ipv4_packet(client_ip, server_ip, syn_segment());
    long_total[2] = std::byte{0x10};  // total length 4096+ in a short frame
    EXPECT_EQ(decode(LinkType::raw_ip, long_total, p).reason, DecodeReason::bad_ipv4_total_length);
}

TEST(Decoder, GarbageNeverEscapesTheFrame)
{
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_int_distribution<std::size_t> length(0, 128);
    for (const LinkType link : {LinkType::ethernet, LinkType::linux_sll, LinkType::linux_sll2, LinkType::bsd_null,
                                LinkType::bsd_loop, LinkType::raw_ip}) {
        for (int i = 0; i < 2000; ++i) {
            Bytes frame(length(rng));
            for (auto& b : frame) {
                b = static_cast<std::byte>(byte(rng));
            }
            TcpPacket p;
            const auto result = decode(link, frame, p);
            if (result.ok()) {
                EXPECT_LE(p.payload.size(), frame.size());
            } else {
                EXPECT_LE(result.offset, frame.size());
            }
        }
    }
}

TEST(Decoder, LinkTypesFromDltNumbers)
{
    EXPECT_EQ(link_type_from_dlt(1), LinkType::ethernet);
    EXPECT_EQ(link_type_from_dlt(113), LinkType::linux_sll);
    EXPECT_EQ(link_type_from_dlt(276), LinkType::linux_sll2);
    EXPECT_EQ(link_type_from_dlt(0), LinkType::bsd_null);
    EXPECT_EQ(link_type_from_dlt(108), LinkType::bsd_loop);
    EXPECT_EQ(link_type_from_dlt(12), LinkType::raw_ip);
    EXPECT_EQ(link_type_from_dlt(101), LinkType::raw_ip);
    EXPECT_FALSE(link_type_from_dlt(105).has_value());
}

}  // namespace
}  // namespace tlsprobe::capture
