// The join and the verdict rules on crafted timelines: every row of the
// verdict table in DESIGN.md, and the middlebox cases.
#include <gtest/gtest.h>

#include "results/analysis.hpp"
#include "results/flow_join.hpp"
#include "results/verdict.hpp"
#include "results/verdict_findings.hpp"

namespace tlsprobe::results {
namespace {

constexpr std::int64_t ms = 1'000'000;

// A connection as one vantage saw it, built step by step.
struct FlowBuilder {
    FlowEvidence flow;

    explicit FlowBuilder(std::string vantage, std::uint16_t port, std::int64_t start_ns,
                         std::string client_ip = "198.18.1.2")
    {
        flow.vantage = std::move(vantage);
        flow.client_ip = std::move(client_ip);
        flow.client_port = port;
        flow.server_ip = "198.18.0.10";
        flow.server_port = 443;
        flow.first_ns = start_ns;
        flow.syn = SynEvidence{{start_ns, 64, 1, "02:00:00:00:00:01"}, 1000u + port, 5000u + port, 0};
    }
    FlowBuilder& syn_ack(std::uint8_t ttl, std::int64_t after = 1 * ms)
    {
        flow.syn_ack = SynEvidence{{flow.first_ns + after, ttl, 7, "02:00:00:00:00:99"}, 77, {}, 0};
        flow.server_to_client.ttls.push_back(ttl);
        return *this;
    }
    FlowBuilder& client_hello(std::string random, std::int64_t after = 2 * ms)
    {
        flow.client_hello = HelloEvidence{flow.first_ns + after, std::move(random), 0};
        return *this;
    }
    FlowBuilder& acked(std::uint8_t ttl)
    {
        flow.client_hello_acked = PacketEvidence{flow.first_ns + 3 * ms, ttl, 9, ""};
        if (std::find(flow.server_to_client.ttls.begin(), flow.server_to_client.ttls.end(), ttl) ==
            flow.server_to_client.ttls.end()) {
            flow.server_to_client.ttls.push_back(ttl);
        }
        return *this;
    }
    FlowBuilder& server_hello()
    {
        flow.server_hello = HelloEvidence{flow.first_ns + 4 * ms, "ab", 0};
        return *this;
    }
    FlowBuilder& close(bool rst, bool from_client, std::int64_t after = 10 * ms)
    {
        flow.closes.push_back({rst, from_client, flow.first_ns + after, 1, 64});
        return *this;
    }
    FlowBuilder& client_macs(std::vector<std::string> macs)
    {
        flow.client_to_server.src_macs = std::move(macs);
        return *this;
    }
};

prober::ProbeRecord probe(std::uint16_t port, prober::Outcome outcome, std::string random = {})
{
    prober::ProbeRecord record;
    record.probe_id = port;
    record.src_ip = "198.18.1.2";
    record.src_port = port;
    record.dst_ip = "198.18.0.10";
    record.dst_port = 443;
    record.outcome = outcome;
    record.client_random = std::move(random);
    return record;
}

VerdictRecord judge(const FlowEvidence* client, const FlowEvidence* server, const prober::ProbeRecord* p = nullptr,
                    bool server_capture = true)
{
    return decide({.probe = p,
                   .client = client,
                   .server = server,
                   .joined_by = std::nullopt,
                   .client_capture = true,
                   .server_capture = server_capture,
                   .client_capture_lossy = false,
                   .server_capture_lossy = false});
}

TEST(Verdicts, OkWhenTheHandshakeAndExchangeCompleted)
{
    const auto client = FlowBuilder("client", 20000, 0).syn_ack(61).client_hello("r1").acked(61).server_hello().close(false, false).flow;
    const auto server = FlowBuilder("server", 20000, 0).syn_ack(64).client_hello("r1").server_hello().close(false, false).flow;
    const auto p = probe(20000, prober::Outcome::ok, "r1");
    const auto record = judge(&client, &server, &p);
    EXPECT_EQ(record.verdict, Verdict::ok);
    EXPECT_FALSE(record.middlebox);
    EXPECT_FALSE(record.path_split);
}

TEST(Verdicts, SynLostAndSynAckLost)
{
    const auto client = FlowBuilder("client", 20001, 0).flow;
    EXPECT_EQ(judge(&client, nullptr).verdict, Verdict::syn_lost);
    const auto server = FlowBuilder("server", 20001, 0).syn_ack(64).flow;
    EXPECT_EQ(judge(&client, &server).verdict, Verdict::synack_lost);
    const auto without_server = judge(&client, nullptr, nullptr, false);
    EXPECT_EQ(without_server.verdict, Verdict::unknown);
    EXPECT_EQ(without_server.missing, std::vector<std::string>{"server"});
}

TEST(Verdicts, ClientHelloLostUnackedOrAckedByAMiddlebox)
{
    const auto unacked = FlowBuilder("client", 20002, 0).syn_ack(61).client_hello("r2").flow;
    const auto server = FlowBuilder("server", 20002, 0).syn_ack(64).flow;
    auto record = judge(&unacked, &server);
    EXPECT_EQ(record.verdict, Verdict::client_hello_lost);
    EXPECT_EQ(to_string(record.sub), "unacked");

    // The incident: TTL 253 on the ACK, 61 on the SYN-ACK, the server sends with 64.
    const auto acked = FlowBuilder("client", 20003, 0).syn_ack(61).client_hello("r3").acked(253).flow;
    record = judge(&acked, nullptr);
    EXPECT_EQ(record.verdict, Verdict::client_hello_lost);
    EXPECT_EQ(to_string(record.sub), "middlebox_acked");
    EXPECT_EQ(record.ack_ttl, 253);
    EXPECT_EQ(record.ack_hops->hops, 2);
    EXPECT_TRUE(record.path_split) << "two TTLs from the 'server' at the client";
}

TEST(Verdicts, ServerSilenceAndServerHelloLost)
{
    const auto client = FlowBuilder("client", 20004, 0).syn_ack(61).client_hello("r4").acked(61).close(false, false, 10'000 * ms).flow;
    const auto silent = FlowBuilder("server", 20004, 0).syn_ack(64).client_hello("r4").flow;
    EXPECT_EQ(judge(&client, &silent).verdict, Verdict::server_silence);
    const auto answered = FlowBuilder("server", 20004, 0).syn_ack(64).client_hello("r4").server_hello().flow;
    EXPECT_EQ(judge(&client, &answered).verdict, Verdict::server_hello_lost);
}

TEST(Verdicts, ClientOnlyIsNarrowedHonestly)
{
    const auto acked = FlowBuilder("client", 20005, 0).syn_ack(61).client_hello("r5").acked(253).flow;
    const auto record = judge(&acked, nullptr, nullptr, false);
    EXPECT_EQ(record.verdict, Verdict::unknown);
    EXPECT_EQ(to_string(record.sub), "no_server_hello_client_hello_acked");
    EXPECT_EQ(record.missing, std::vector<std::string>{"server"});
    EXPECT_TRUE(record.middlebox) << "ACK and SYN-ACK disagree on initial TTL and distance";
    EXPECT_EQ(record.middlebox_evidence, std::vector{MiddleboxEvidence::ttl});
    EXPECT_EQ(record.ack_hops->hops, 2);
}

TEST(Verdicts, MidstreamResetOriginator)
{
    const auto p = probe(20006, prober::Outcome::midstream_reset, "r6");
    const auto client = FlowBuilder("client", 20006, 0).syn_ack(61).client_hello("r6").server_hello().close(true, false).flow;
    const auto server_rst = FlowBuilder("server", 20006, 0).syn_ack(64).client_hello("r6").server_hello().close(true, false).flow;
    auto record = judge(&client, &server_rst, &p);
    EXPECT_EQ(record.verdict, Verdict::midstream_reset);
    EXPECT_EQ(record.reset_by, ResetOriginator::server);
    const auto server_quiet = FlowBuilder("server", 20006, 0).syn_ack(64).client_hello("r6").server_hello().flow;
    record = judge(&client, &server_quiet, &p);
    EXPECT_EQ(record.reset_by, ResetOriginator::injected);
    record = judge(&client, nullptr, &p, false);
    EXPECT_EQ(record.reset_by, ResetOriginator::not_known);
}

TEST(Verdicts, PathSplitFromTwoSourceMacsAtTheServer)
{
    const auto client = FlowBuilder("client", 20007, 0).syn_ack(61).client_hello("r7").flow;
    const auto server = FlowBuilder("server", 20007, 0)
                            .syn_ack(64)
                            .client_macs({"02:00:00:00:0a:01", "02:00:00:00:0a:02"})
                            .flow;
    const auto record = judge(&client, &server);
    EXPECT_TRUE(record.path_split);
    EXPECT_EQ(record.server_side_client_macs.size(), 2U);
}

TEST(Verdicts, LocalErrorIsNotAPathVerdict)
{
    const auto p = probe(20008, prober::Outcome::local_error);
    EXPECT_EQ(judge(nullptr, nullptr, &p).verdict, Verdict::local_error);
}

TEST(Join, ByClientRandomThroughANatWithAClockOffsetOfSeconds)
{
    // The server's clock runs 3.2 s ahead, and a NAT rewrote the client's address and port.
    std::vector<FlowEvidence> client;
    std::vector<FlowEvidence> server;
    for (std::uint16_t i = 0; i < 20; ++i) {
        client.push_back(FlowBuilder("client", static_cast<std::uint16_t>(30000 + i), i * 50 * ms).syn_ack(61).client_hello("c" + std::to_string(i)).flow);
        auto seen = FlowBuilder("server", static_cast<std::uint16_t>(61000 + i), 3'200 * ms + i * 50 * ms + 2 * ms, "198.18.5.5")
                        .syn_ack(64)
                        .client_hello("c" + std::to_string(i))
                        .flow;
        server.push_back(seen);
    }
    const auto join = join_flows(client, server);
    for (std::size_t i = 0; i < client.size(); ++i) {
        ASSERT_TRUE(join.server_of_client[i]);
        EXPECT_EQ(join.server_of_client[i]->server, i);
        EXPECT_EQ(join.server_of_client[i]->key, JoinKey::client_random);
    }
    EXPECT_EQ(join.offset.samples, 20U);
    EXPECT_EQ(join.offset.median_ns, 3'202 * ms);
    const auto record = judge(&client[0], &server[0]);
    EXPECT_TRUE(record.middlebox);
    EXPECT_NE(std::find(record.middlebox_evidence.begin(), record.middlebox_evidence.end(), MiddleboxEvidence::ports),
              record.middlebox_evidence.end());
}

TEST(Join, ByIsnAndTimestampWhenNoClientHelloCrossed)
{
    std::vector<FlowEvidence> client{FlowBuilder("client", 30100, 0).syn_ack(61).flow};
    std::vector<FlowEvidence> server{FlowBuilder("server", 30100, 5 * ms).syn_ack(64).flow};
    const auto join = join_flows(client, server);
    ASSERT_TRUE(join.server_of_client[0]);
    EXPECT_EQ(join.server_of_client[0]->key, JoinKey::isn_tsval);
}

TEST(Join, ByTupleAndTimeAfterTheOffsetAndNotBeyondTheWindow)
{
    // Exact matches fix the offset at +2 s; the ISN-less flows then join by tuple in time.
    std::vector<FlowEvidence> client;
    std::vector<FlowEvidence> server;
    for (std::uint16_t i = 0; i < 5; ++i) {
        client.push_back(FlowBuilder("client", static_cast<std::uint16_t>(30200 + i), i * 100 * ms).syn_ack(61).client_hello("t" + std::to_string(i)).flow);
        server.push_back(FlowBuilder("server", static_cast<std::uint16_t>(30200 + i), 2'000 * ms + i * 100 * ms).syn_ack(64).client_hello("t" + std::to_string(i)).flow);
    }
    auto lost = FlowBuilder("client", 30300, 900 * ms).syn_ack(61).client_hello("lost").flow;
    auto server_side = FlowBuilder("server", 30300, 2'900 * ms).syn_ack(64).flow;
    server_side.syn->isn = 1;   // a middlebox-free path keeps the ISN; here the ISN join is made impossible on purpose
    client.push_back(lost);
    server.push_back(server_side);
    auto stale = FlowBuilder("client", 30301, 0).syn_ack(61).client_hello("stale").flow;
    auto far = FlowBuilder("server", 30301, 9'000 * ms).syn_ack(64).flow;
    far.syn->isn = 2;
    client.push_back(stale);
    server.push_back(far);
    const auto join = join_flows(client, server);
    ASSERT_TRUE(join.server_of_client[5]);
    EXPECT_EQ(join.server_of_client[5]->key, JoinKey::tuple_time);
    EXPECT_EQ(join.server_of_client[5]->server, 5U);
    EXPECT_FALSE(join.server_of_client[6]) << "7 s away from where the offset puts it";
    EXPECT_EQ(join.unjoined_server, std::vector<std::size_t>{6});
}

TEST(Join, ThroughATcpTerminatingProxyByMiddleboxAddressAndTime)
{
    // The proxy at 198.18.9.9 opens its own connection (new port, new ISN);
    // its forwarded ClientHello was lost, so no random can match.
    std::vector<FlowEvidence> client{FlowBuilder("client", 30400, 0).syn_ack(253).client_hello("p").acked(253).flow};
    auto upstream = FlowBuilder("server", 45000, 1 * ms, "198.18.9.9").syn_ack(64).flow;
    upstream.syn->isn = 123;
    std::vector<FlowEvidence> server{upstream};
    const auto join = join_flows(client, server);
    ASSERT_TRUE(join.server_of_client[0]);
    EXPECT_EQ(join.server_of_client[0]->key, JoinKey::middlebox_time);
    const auto record = judge(&client[0], &server[0]);
    EXPECT_EQ(record.verdict, Verdict::client_hello_lost);
    EXPECT_EQ(to_string(record.sub), "middlebox_acked");
    EXPECT_TRUE(record.middlebox);
    for (const auto reason : {MiddleboxEvidence::ttl, MiddleboxEvidence::isn, MiddleboxEvidence::ports}) {
        EXPECT_NE(std::find(record.middlebox_evidence.begin(), record.middlebox_evidence.end(), reason),
                  record.middlebox_evidence.end())
            << to_string(reason);
    }
}

TEST(Analysis, FindingsSayWhatWasLostAndWhereInNumbers)
{
    AnalysisInputs inputs;
    inputs.probes.emplace();
    inputs.client.emplace();
    inputs.client->name = "client";
    inputs.server.emplace();
    inputs.server->name = "server";
    for (std::uint16_t i = 0; i < 10; ++i) {
        const auto port = static_cast<std::uint16_t>(40000 + i);
        const auto random = "x" + std::to_string(i);
        const bool lost = i < 3;
        inputs.probes->push_back(probe(port, lost ? prober::Outcome::handshake_timeout : prober::Outcome::ok, random));
        auto client = FlowBuilder("client", port, i * 10 * ms).syn_ack(61).client_hello(random).acked(lost ? 253 : 61);
        auto server = FlowBuilder("server", port, i * 10 * ms + ms).syn_ack(64);
        if (!lost) {
            client.server_hello();
            server.client_hello(random).server_hello();
        }
        inputs.client->flows.push_back(client.flow);
        inputs.server->flows.push_back(server.flow);
    }
    const auto analysis = analyze(inputs);
    EXPECT_EQ(analysis.counts[static_cast<std::size_t>(Verdict::client_hello_lost)], 3U);
    EXPECT_EQ(analysis.counts[static_cast<std::size_t>(Verdict::ok)], 7U);
    ASSERT_FALSE(analysis.findings.empty());
    EXPECT_EQ(analysis.findings.front(),
              "3 of 10 ClientHellos never reached the server; each was ACKed by a device 2 hops from the client "
              "(TTL 253; the server sends with 64).");
    EXPECT_EQ(analysis.filters.at(Verdict::client_hello_lost), "(ip.addr == 198.18.1.2 && tcp.port in {40000, 40001, 40002})");
}

}  // namespace
}  // namespace tlsprobe::results

namespace tlsprobe::results {
namespace {

// Findings agree with the verdicts: connections the evidence does not decide
// are never summed up as "nothing was lost".
TEST(VerdictFindings, UnknownVerdictsAreNotCalledFine)
{
    Analysis analysis;
    for (int i = 0; i < 20; ++i) {
        VerdictRecord record;
        record.verdict = Verdict::unknown;
        record.sub = VerdictSub::probe_outcome;
        record.probe_outcome = "midstream_close";
        analysis.verdicts.push_back(record);
    }
    const auto findings = verdict_findings(analysis);
    ASSERT_EQ(findings.size(), 1U);
    EXPECT_EQ(findings[0],
              "20 of 20 connections have verdict unknown: the evidence does not decide them (20 midstream_close); "
              "they are not counted as fine.");
}

TEST(VerdictFindings, NothingOnTheWireIsNotAllCompleted)
{
    Analysis analysis;
    VerdictRecord record;
    record.verdict = Verdict::local_error;
    analysis.verdicts.assign(3, record);
    const auto findings = verdict_findings(analysis);
    ASSERT_EQ(findings.size(), 1U);
    EXPECT_EQ(findings[0], "None of the 3 probes reached the wire (local_error): nothing was judged.");
}

}  // namespace
}  // namespace tlsprobe::results
