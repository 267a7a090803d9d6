// The ladder diagram of an example connection: lanes, arrows with TTL and hop
// estimate, the lost packet, the timeline fallback, the bounds; and the SVG
// a reader (and the lab test) finds them in.
#include "reports/ladder_diagram.hpp"

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "core/errors.hpp"
#include "reports/analysis_text.hpp"
#include "reports/verdict_examples.hpp"
#include "results/analysis.hpp"
#include "results/input_files.hpp"
#include "temp_dir.hpp"
#include "tests/unit/capture/middlebox_exchange.hpp"

namespace tlsprobe::reports {
namespace {

using capture::test::base_ns;
namespace fs = std::filesystem;

constexpr std::int64_t t0 = base_ns;
constexpr std::int64_t us = 1000;
constexpr std::int64_t one_ms = 1'000'000;
constexpr std::int64_t offset_ns = 285'456;   // server clock - client clock, as the proxy lab measured it

// A timeline with its 4-tuple and first packet, nothing else yet.
results::FlowEvidence bare_flow(std::string vantage, std::string client_ip, std::uint16_t client_port,
                                std::string server_ip, std::int64_t first_ns)
{
    results::FlowEvidence flow;
    flow.vantage = std::move(vantage);
    flow.client_ip = std::move(client_ip);
    flow.client_port = client_port;
    flow.server_ip = std::move(server_ip);
    flow.server_port = 443;
    flow.first_ns = first_ns;
    return flow;
}

// A verdict on the connection `client` shows, with nothing else decided.
results::VerdictRecord verdict_on(const results::FlowEvidence& client, results::Verdict verdict,
                                  const results::FlowEvidence* server = nullptr)
{
    results::VerdictRecord record;
    record.client_ip = client.client_ip;
    record.client_port = client.client_port;
    record.server_ip = client.server_ip;
    record.server_port = client.server_port;
    record.verdict = verdict;
    record.client_flow = &client;
    record.server_flow = server;
    return record;
}

// The client's timeline of capture::test::middlebox_exchange(t0).
results::FlowEvidence client_flow(std::uint32_t hello_length)
{
    auto flow = bare_flow("client", "198.18.1.2", 20001, "198.18.100.10", t0);
    flow.last_ns = t0 + 10'001'200 * us;
    flow.syn = results::SynEvidence{{t0, 64, 1, "02:00:00:00:00:12"}, 437'109'226, {}, 0};
    flow.syn_ack = results::SynEvidence{{t0 + 100 * us, 253, 0, "02:00:00:00:00:64"}, 351'762'613, {}, 0};
    flow.handshake_ack_ns = t0 + 200 * us;
    flow.client_hello = results::HelloEvidence{t0 + 1000 * us, "3132333435363738", 0, hello_length};
    flow.client_hello_acked = results::PacketEvidence{t0 + 1050 * us, 253, 0, "02:00:00:00:00:64"};
    flow.client_hello_pure_acks = 2;
    flow.server_to_client.ttls = {253};
    flow.closes.push_back({false, false, t0 + 10'001 * one_ms, 1, 253});
    flow.closes.push_back({false, true, t0 + 10'001'100 * us, 1 + hello_length, 64});
    return flow;
}

// What the server saw: the middlebox's own connection, no ClientHello, the
// server's FIN ten seconds later; times on the server's clock.
results::FlowEvidence server_flow()
{
    const auto at = [](std::int64_t client_clock_ns) { return client_clock_ns + offset_ns; };
    auto flow = bare_flow("server", "198.18.4.2", 57033, "198.18.100.10", at(t0 + 150 * us));
    flow.last_ns = at(t0 + 10'000'600 * us);
    flow.syn = results::SynEvidence{{at(t0 + 150 * us), 63, 1, "86:41:86:4a:02:d7"}, 99'000, {}, 0};
    flow.syn_ack = results::SynEvidence{{at(t0 + 170 * us), 64, 0, "02:00:00:00:00:99"}, 55'000, {}, 0};
    flow.handshake_ack_ns = at(t0 + 190 * us);
    flow.server_to_client.ttls = {64};
    flow.closes.push_back({false, false, at(t0 + 10'000'190 * us), 1, 64});
    flow.closes.push_back({false, true, at(t0 + 10'000'200 * us), 1, 63});
    return flow;
}

results::VerdictRecord middlebox_acked(const results::FlowEvidence& client, const results::FlowEvidence* server)
{
    auto record = verdict_on(client, results::Verdict::client_hello_lost, server);
    record.sub = results::VerdictSub::middlebox_acked;
    record.middlebox = true;
    record.middlebox_evidence = {results::MiddleboxEvidence::ttl, results::MiddleboxEvidence::isn,
                                 results::MiddleboxEvidence::ports};
    record.joined_by = results::JoinKey::middlebox_time;
    record.ack_ttl = 253;
    record.ack_hops = results::estimate_hops(253);
    record.synack_ttl_at_client = 253;
    record.server_sent_ttl = 64;
    return record;
}

const results::ClockOffset lab_offset{.median_ns = offset_ns, .spread_ns = 223'794, .samples = 342};

struct ClientCapture {
    testing::TempDir dir;
    fs::path pcap = dir.path() / "client.pcap";
    capture::test::Exchange exchange = capture::test::middlebox_exchange(t0);
    ClientCapture() { capture::test::write_pcap(pcap, exchange.frames); }
};

std::vector<const LadderArrow*> arrows_of(const LadderExample& example, ArrowKind kind, bool lost = false)
{
    std::vector<const LadderArrow*> out;
    for (const auto& arrow : example.arrows) {
        if (arrow.kind == kind && arrow.lost == lost) {
            out.push_back(&arrow);
        }
    }
    return out;
}

// The SVG read back as XML: every <g class="packet..."> with its attributes
// and the text of its <text> children.
struct SvgPacket {
    std::string css_class;
    std::map<std::string, std::string> data;
    std::string text;
};

namespace pt = boost::property_tree;

void collect(const pt::ptree& node, std::vector<SvgPacket>& out)
{
    for (const auto& [name, child] : node) {
        if (const auto attributes = child.get_child_optional("<xmlattr>")) {
            std::set<std::string> keys;
            for (const auto& attribute : *attributes) {
                EXPECT_TRUE(keys.insert(attribute.first).second) << "<" << name << "> repeats " << attribute.first;
            }
        }
        if (name != "g") {
            if (name != "<xmlattr>") {
                collect(child, out);
            }
            continue;
        }
        const auto css_class = child.get<std::string>("<xmlattr>.class", "");
        if (css_class.rfind("packet", 0) == 0) {
            SvgPacket packet{.css_class = css_class, .data = {}, .text = {}};
            for (const auto& [key, value] : child.get_child("<xmlattr>")) {
                packet.data[key] = value.data();
            }
            for (const auto& [element, sub] : child) {
                if (element == "text") {
                    packet.text += sub.data() + "\n";
                }
            }
            out.push_back(std::move(packet));
        }
        collect(child, out);
    }
}

std::vector<SvgPacket> svg_packets(const std::string& svg)
{
    std::istringstream in(svg);
    pt::ptree tree;
    pt::read_xml(in, tree);   // throws on SVG that is not well-formed XML
    std::vector<SvgPacket> out;
    collect(tree, out);
    return out;
}

TEST(LadderDiagram, MiddleboxAckedClientHelloFromTheClientPcap)
{
    ClientCapture capture;
    const auto client = client_flow(capture.exchange.client_hello_length);
    const auto server = server_flow();
    const auto record = middlebox_acked(client, &server);
    const auto example = ladder_example(record, lab_offset, capture.pcap, std::nullopt);

    ASSERT_EQ(example.lanes.size(), 3U);
    EXPECT_EQ(example.lanes[0].lane, LadderLane::client);
    EXPECT_EQ(example.lanes[0].address, "198.18.1.2:20001");
    EXPECT_EQ(example.lanes[1].lane, LadderLane::middlebox);
    EXPECT_NE(example.lanes[1].address.find("198.18.4.2:57033"), std::string::npos);
    EXPECT_EQ(example.lanes[2].address, "198.18.100.10:443");
    EXPECT_EQ(example.client_source, LadderSource::pcap);
    EXPECT_EQ(example.server_source, LadderSource::timeline);
    EXPECT_EQ(example.caption, "client_hello_lost / middlebox_acked: 198.18.1.2:20001 -> 198.18.100.10:443");

    // The two ACKs of the ClientHello came from the middlebox, two hops away.
    const auto acks = arrows_of(example, ArrowKind::client_hello_ack);
    ASSERT_EQ(acks.size(), 2U);
    for (const auto* ack : acks) {
        EXPECT_EQ(ack->from, LadderLane::middlebox);
        EXPECT_EQ(ack->to, LadderLane::client);
        EXPECT_EQ(ack->vantage, LadderVantage::client);
        EXPECT_EQ(ack->ttl, 253);
        ASSERT_TRUE(ack->foreign_sender.has_value());
        EXPECT_EQ(ack->foreign_sender->hops, 2);
        EXPECT_NE(ack->detail.find("TTL 253: 2 hops from a sender starting at 255"), std::string::npos);
    }
    EXPECT_NEAR(acks[0]->t_ms, 1.05, 1e-9);

    // The ClientHello: seen leaving the client, then never reaching the server.
    const auto sent = arrows_of(example, ArrowKind::client_hello);
    const auto lost = arrows_of(example, ArrowKind::client_hello, true);
    ASSERT_EQ(sent.size(), 1U);
    ASSERT_EQ(lost.size(), 1U);
    EXPECT_NE(sent[0]->detail.find("len " + std::to_string(capture.exchange.client_hello_length)), std::string::npos);
    EXPECT_EQ(lost[0]->from, LadderLane::middlebox);
    EXPECT_EQ(lost[0]->to, LadderLane::server);
    EXPECT_EQ(lost[0]->vantage, LadderVantage::server);
    EXPECT_EQ(lost[0]->detail, "never reached the server");
    EXPECT_EQ(lost[0], sent[0] + 1) << "the lost copy is drawn right after the one that left";
    EXPECT_EQ(std::count_if(example.arrows.begin(), example.arrows.end(), [](const auto& a) { return a.lost; }), 1);

    // The server side from its timeline, shifted onto the client's clock.
    const auto server_syn = std::find_if(example.arrows.begin(), example.arrows.end(), [](const auto& a) {
        return a.kind == ArrowKind::syn && a.vantage == LadderVantage::server;
    });
    ASSERT_NE(server_syn, example.arrows.end());
    EXPECT_TRUE(server_syn->shifted);
    EXPECT_NEAR(server_syn->t_ms, 0.15, 1e-9);
    EXPECT_EQ(server_syn->from, LadderLane::middlebox);
    EXPECT_EQ(server_syn->to, LadderLane::server);

    // In time order, the middlebox's FIN with relative seq 1 ten seconds on.
    EXPECT_TRUE(std::is_sorted(example.arrows.begin(), example.arrows.end(),
                               [](const auto& a, const auto& b) { return a.t_ms < b.t_ms; }));
    const auto fins = arrows_of(example, ArrowKind::fin);
    ASSERT_FALSE(fins.empty());
    const auto client_fin = std::find_if(fins.begin(), fins.end(), [](const auto* a) {
        return a->vantage == LadderVantage::client && a->from == LadderLane::middlebox;
    });
    ASSERT_NE(client_fin, fins.end());
    EXPECT_NE((*client_fin)->detail.find("[FIN, ACK] seq 1 "), std::string::npos);
    EXPECT_NEAR((*client_fin)->t_ms, 10'001.0, 1e-9);

    const auto has_note = [&](std::string_view text) {
        return std::any_of(example.notes.begin(), example.notes.end(),
                           [&](const std::string& note) { return note.find(text) != std::string::npos; });
    };
    EXPECT_TRUE(has_note("server side from its flow timeline (no pcap)"));
    EXPECT_TRUE(has_note("+0.285 ms"));
    EXPECT_TRUE(has_note("middlebox_time"));
}

TEST(LadderDiagram, TheSvgShowsTheAckWithTtl253AndTheLostClientHello)
{
    ClientCapture capture;
    const auto client = client_flow(capture.exchange.client_hello_length);
    const auto server = server_flow();
    const auto svg =
        ladder_svg(ladder_example(middlebox_acked(client, &server), lab_offset, capture.pcap, std::nullopt));

    const auto packets = svg_packets(svg);
    const auto count = [&](auto predicate) { return std::count_if(packets.begin(), packets.end(), predicate); };
    EXPECT_EQ(count([](const SvgPacket& p) { return p.css_class == "packet lost"; }), 1);
    const auto lost =
        std::find_if(packets.begin(), packets.end(), [](const auto& p) { return p.css_class == "packet lost"; });
    ASSERT_NE(lost, packets.end());
    EXPECT_EQ(lost->data.at("data-what"), "client_hello");
    EXPECT_EQ(lost->data.at("data-vantage"), "server");
    EXPECT_NE(lost->text.find("never reached the server"), std::string::npos);

    const auto ack = std::find_if(packets.begin(), packets.end(), [](const auto& p) {
        return p.data.count("data-what") != 0 && p.data.at("data-what") == "client_hello_ack";
    });
    ASSERT_NE(ack, packets.end());
    EXPECT_EQ(ack->css_class, "packet");
    EXPECT_EQ(ack->data.at("data-ttl"), "253");
    EXPECT_EQ(ack->data.at("data-vantage"), "client");
    EXPECT_EQ(ack->data.at("data-hops"), "2");
    EXPECT_NE(ack->text.find("TTL 253: 2 hops from a sender starting at 255"), std::string::npos);

    // 9 packets at the client, 5 key events of the server's timeline, the lost ClientHello.
    EXPECT_EQ(packets.size(), 15U);
    EXPECT_EQ(count([](const SvgPacket& p) { return p.data.at("data-vantage") == "client"; }), 9);
    // Three lanes; ten quiet seconds drawn as a break, not as ten seconds of height.
    std::size_t lanes = 0;
    for (auto at = svg.find(R"(class="lane")"); at != std::string::npos; at = svg.find(R"(class="lane")", at + 1)) {
        ++lanes;
    }
    EXPECT_EQ(lanes, 3U);
    EXPECT_NE(svg.find(R"(data-lane="middlebox")"), std::string::npos);
    EXPECT_NE(svg.find("class=\"gap\""), std::string::npos);
    EXPECT_NE(svg.find("9.999 s later"), std::string::npos);
    EXPECT_NE(svg.find("server side from its flow timeline (no pcap)"), std::string::npos);
}

TEST(LadderDiagram, WithoutPcapsBothSidesComeFromTheirTimelines)
{
    const auto client = client_flow(298);
    const auto server = server_flow();
    const auto record = middlebox_acked(client, &server);
    const auto example = ladder_example(record, lab_offset, std::nullopt, std::nullopt);
    EXPECT_EQ(example.client_source, LadderSource::timeline);
    EXPECT_EQ(example.server_source, LadderSource::timeline);

    std::vector<std::string> client_side;
    for (const auto& arrow : example.arrows) {
        if (arrow.vantage == LadderVantage::client && !arrow.lost) {
            client_side.emplace_back(to_string(arrow.kind));
        }
    }
    EXPECT_EQ(client_side,
              (std::vector<std::string>{"syn", "syn_ack", "ack", "client_hello", "client_hello_ack", "fin", "fin"}));
    const auto ack = arrows_of(example, ArrowKind::client_hello_ack);
    ASSERT_EQ(ack.size(), 1U);
    EXPECT_EQ(ack[0]->ttl, 253);
    EXPECT_NE(ack[0]->detail.find("TTL 253: 2 hops from a sender starting at 255"), std::string::npos);
    EXPECT_NE(ack[0]->detail.find("2 pure ACKs"), std::string::npos);
    EXPECT_EQ(arrows_of(example, ArrowKind::client_hello)[0]->length, 298U);
    ASSERT_EQ(arrows_of(example, ArrowKind::client_hello, true).size(), 1U);

    const auto svg = ladder_svg(example);
    EXPECT_NE(svg.find("client side from its flow timeline (no pcap)"), std::string::npos);
    EXPECT_NE(svg.find("server side from its flow timeline (no pcap)"), std::string::npos);
    EXPECT_EQ(svg_packets(svg).size(), 7U + 5U + 1U);
}

TEST(LadderDiagram, APcapWithoutTheConnectionFallsBackToTheTimeline)
{
    ClientCapture capture;
    auto client = client_flow(298);
    client.client_port = 20009;   // not in the pcap
    const auto example = ladder_example(middlebox_acked(client, nullptr), {}, capture.pcap, std::nullopt);
    EXPECT_EQ(example.client_source, LadderSource::timeline);
    EXPECT_EQ(example.server_source, LadderSource::none);
    const auto& notes = example.notes;
    EXPECT_NE(std::find(notes.begin(), notes.end(),
                        "client side from its flow timeline (the client pcap has no packet of this connection)"),
              notes.end());
    EXPECT_NE(std::find(notes.begin(), notes.end(), "server: no flow of this connection in the server capture"),
              notes.end());
}

TEST(LadderDiagram, ASynThatNeverArrivedAndAnEmptyExample)
{
    auto client = bare_flow("client", "2001:db8::1", 30000, "2001:db8::2", t0);
    client.syn = results::SynEvidence{{t0, 64, {}, ""}, 1, {}, 0};
    const auto record = verdict_on(client, results::Verdict::syn_lost);
    const auto example = ladder_example(record, {}, std::nullopt, std::nullopt);
    ASSERT_EQ(example.lanes.size(), 2U);
    EXPECT_EQ(example.lanes[0].address, "[2001:db8::1]:30000");
    ASSERT_EQ(example.arrows.size(), 2U);
    EXPECT_EQ(example.arrows[0].kind, ArrowKind::syn);
    EXPECT_FALSE(example.arrows[0].lost);
    EXPECT_TRUE(example.arrows[1].lost);
    EXPECT_EQ(example.arrows[1].from, LadderLane::client);
    EXPECT_EQ(example.arrows[1].to, LadderLane::server);
    EXPECT_EQ(example.arrows[1].detail, "never reached the server");
    EXPECT_EQ(svg_packets(ladder_svg(example)).size(), 2U);

    // No flow at either vantage: the lanes and a sentence, no arrow.
    results::VerdictRecord nothing;
    nothing.client_ip = "198.18.1.2";
    nothing.server_ip = "198.18.100.10";
    const auto empty = ladder_example(nothing, {}, std::nullopt, std::nullopt);
    EXPECT_TRUE(empty.arrows.empty());
    const auto svg = ladder_svg(empty);
    EXPECT_TRUE(svg_packets(svg).empty());
    EXPECT_NE(svg.find("no packet of this connection was captured"), std::string::npos);
}

TEST(LadderDiagram, AServerHelloThatNeverReachedTheClient)
{
    // No middlebox: two lanes. The server's ServerHello was also its ACK of
    // the ClientHello: one arrow, not two.
    auto client = bare_flow("client", "198.18.0.10", 40001, "198.19.0.20", t0);
    client.syn = results::SynEvidence{{t0, 64, 1, ""}, 1000, {}, 0};
    client.syn_ack = results::SynEvidence{{t0 + 2 * one_ms, 61, 2, ""}, 7000, {}, 0};
    client.client_hello = results::HelloEvidence{t0 + 3 * one_ms, "ab", 0, 517};
    auto server = client;
    server.vantage = "server";
    server.syn->packet.t_ns = t0 + one_ms;
    server.syn->packet.ttl = 61;
    server.syn_ack->packet.t_ns = t0 + one_ms;
    server.syn_ack->packet.ttl = 64;
    server.client_hello->t_ns = t0 + 4 * one_ms;
    server.server_hello = results::HelloEvidence{t0 + 5 * one_ms, "cd", 2, 90};
    server.client_hello_acked = results::PacketEvidence{t0 + 5 * one_ms, 64, 3, ""};
    auto record = verdict_on(client, results::Verdict::server_hello_lost, &server);
    record.server_sent_ttl = 64;

    const auto example = ladder_example(record, {}, std::nullopt, std::nullopt);
    ASSERT_EQ(example.lanes.size(), 2U);
    EXPECT_TRUE(arrows_of(example, ArrowKind::client_hello_ack).empty());
    const auto hello = arrows_of(example, ArrowKind::server_hello);
    const auto lost = arrows_of(example, ArrowKind::server_hello, true);
    ASSERT_EQ(hello.size(), 1U);
    ASSERT_EQ(lost.size(), 1U);
    EXPECT_EQ(hello[0]->detail, "len 90 · TTL 64 · 2 retransmissions · ACKs the ClientHello");
    EXPECT_FALSE(hello[0]->foreign_sender.has_value());
    EXPECT_EQ(lost[0], hello[0] + 1);
    EXPECT_EQ(lost[0]->from, LadderLane::server);
    EXPECT_EQ(lost[0]->to, LadderLane::client);
    EXPECT_EQ(lost[0]->vantage, LadderVantage::client);
    EXPECT_EQ(lost[0]->detail, "never reached the client");
    EXPECT_FALSE(lost[0]->shifted) << "no clock offset: the server's own clock, and a note says so";
    EXPECT_NE(std::find_if(example.notes.begin(), example.notes.end(),
                           [](const std::string& note) { return note.find("no clock offset") != std::string::npos; }),
              example.notes.end());
}

TEST(LadderDiagram, AtMost64PacketsASideThenACount)
{
    testing::TempDir dir;
    const auto pcap = dir.path() / "client.pcap";
    std::vector<capture::test::TimedFrame> frames;
    const auto client_peer = capture::test::proxy_lab_client();
    const auto server_peer = capture::test::proxy_lab_server();
    capture::test::Conversation c(
        [&frames](std::int64_t t_ns, std::span<const std::byte> frame, std::uint32_t) {
            frames.push_back({t_ns, capture::test::Bytes(frame.begin(), frame.end())});
        },
        client_peer, server_peer);
    c.handshake(t0);
    for (int i = 0; i < 100; ++i) {
        c.send(capture::Side::client, t0 + (3 + i) * one_ms, capture::tcp_flag::psh | capture::tcp_flag::ack,
               capture::test::filled(100, 0x41));
    }
    capture::test::write_pcap(pcap, frames);
    auto client = client_flow(298);
    client.last_ns = t0 + 200 * one_ms;
    const auto example = ladder_example(middlebox_acked(client, nullptr), {}, pcap, std::nullopt);
    EXPECT_EQ(example.arrows.size(), 64U + 1U);   // and the lost ClientHello
    EXPECT_EQ(example.client_more, 103U - 64U);
    EXPECT_EQ(arrows_of(example, ArrowKind::data).size(), 61U);
    const auto svg = ladder_svg(example);
    EXPECT_NE(svg.find("and 39 more packets seen at the client (not drawn)"), std::string::npos);
    EXPECT_LT(svg.size(), 120'000U);
}

TEST(LadderDiagram, SeveralExamplesReadEachPcapOnce)
{
    ClientCapture capture;
    const auto client = client_flow(capture.exchange.client_hello_length);
    auto other = client_flow(298);
    other.client_port = 20009;
    const auto first = middlebox_acked(client, nullptr);
    const auto second = middlebox_acked(other, nullptr);
    const std::vector<const results::VerdictRecord*> records{&first, &second};
    const auto examples = ladder_examples(records, {}, capture.pcap, std::nullopt);
    ASSERT_EQ(examples.size(), 2U);
    EXPECT_EQ(examples[0].client_source, LadderSource::pcap);
    EXPECT_EQ(examples[1].client_source, LadderSource::timeline);
    EXPECT_THROW((void)ladder_examples(records, {}, capture.dir.path() / "missing.pcap", std::nullopt),
                 core::InputError);
}

// The whole path the report takes: both captures read as `analyze` reads
// them, the example the terminal shows, its ladder from the client pcap.
TEST(LadderDiagram, TheTerminalExampleAndTheLadderShowTheSameConnection)
{
    using namespace capture::test;
    testing::TempDir dir;
    const auto client_pcap = dir.path() / "client.pcap";
    const auto server_pcap = dir.path() / "server.pcap";
    write_pcap(client_pcap, middlebox_exchange(t0).frames);
    std::vector<TimedFrame> server_frames;
    const Peer middlebox{ipv4_address(198, 18, 4, 2), 57033, mac(0x42), 63, 99'000};
    const Peer server{ipv4_address(198, 18, 100, 10), 443, mac(0x99), 64, 55'000};
    Conversation s(
        [&server_frames](std::int64_t t_ns, std::span<const std::byte> frame, std::uint32_t) {
            server_frames.push_back({t_ns, Bytes(frame.begin(), frame.end())});
        },
        middlebox, server);
    s.handshake(t0 + 150 * us);
    s.send(capture::Side::server, t0 + 10'000'190 * us, capture::tcp_flag::fin | capture::tcp_flag::ack);
    s.send(capture::Side::client, t0 + 10'000'200 * us, capture::tcp_flag::fin | capture::tcp_flag::ack);
    write_pcap(server_pcap, server_frames);

    results::AnalysisInputs inputs;
    inputs.client = results::read_pcap_file(client_pcap, "client");
    inputs.server = results::read_pcap_file(server_pcap, "server");
    const auto analysis = results::analyze(inputs);
    const auto examples = verdict_examples(analysis);
    ASSERT_EQ(examples.size(), 1U);
    EXPECT_EQ(examples[0]->verdict, results::Verdict::client_hello_lost);
    EXPECT_EQ(examples[0]->sub, results::VerdictSub::middlebox_acked);

    const auto text = analysis_report(analysis, inputs);
    EXPECT_NE(text.find("ACK of the ClientHello (TTL 253: 2 hops from a sender starting at 255), 2 pure ACKs"),
              std::string::npos);
    const auto example = ladder_example(*examples[0], example_clock_offset(analysis), client_pcap, server_pcap);
    EXPECT_EQ(example.client_source, LadderSource::pcap);
    EXPECT_EQ(example.server_source, LadderSource::pcap);
    EXPECT_EQ(example.lanes.size(), 3U);
    EXPECT_EQ(arrows_of(example, ArrowKind::client_hello_ack).size(), 2U);
    EXPECT_EQ(arrows_of(example, ArrowKind::client_hello, true).size(), 1U);
    const auto server_fin = std::find_if(example.arrows.begin(), example.arrows.end(), [](const auto& a) {
        return a.kind == ArrowKind::fin && a.vantage == LadderVantage::server && a.from == LadderLane::server;
    });
    ASSERT_NE(server_fin, example.arrows.end());
    EXPECT_NE(server_fin->detail.find("seq 1 "), std::string::npos);
    EXPECT_EQ(server_fin->ttl, 64);
}

}  // namespace
}  // namespace tlsprobe::reports
