// The key events of a timeline, from a connection put through the capture
// pipeline and read back from its JSON line as the analysis reads it.
#include "results/flow_events.hpp"

#include <gtest/gtest.h>

#include "capture/flow_json.hpp"
#include "tests/unit/capture/conversation.hpp"

namespace tlsprobe::results {
namespace {

using namespace capture::test;
using capture::Side;
namespace flag = capture::tcp_flag;

FlowEvidence evidence_of(const capture::FlowTimeline& timeline)
{
    return flow_evidence_from_json(capture::to_json(timeline, "server"));
}

TEST(FlowEvents, EveryKeyEventInTimeOrderWithWhatTheTimelineKept)
{
    Collector collector;
    Conversation c(collector.pipeline, default_client(), default_server());
    c.handshake(ms(0));
    const Bytes hello = client_hello_record({});
    c.send(Side::client, ms(3), flag::psh | flag::ack, hello);
    c.send(Side::server, ms(4), flag::ack);
    c.send(Side::server, ms(5), flag::psh | flag::ack, server_hello_record(random_of(0x42), 0xc02f, 0x0303));
    c.send(Side::server, ms(6), flag::psh | flag::ack, tls_record(20, bytes_of({1})));
    c.send(Side::client, ms(7), flag::psh | flag::ack, tls_record(21, bytes_of({2, 40})));
    c.send(Side::client, ms(8), flag::fin | flag::ack);
    c.send(Side::server, ms(9), flag::rst);
    collector.finish();
    ASSERT_EQ(collector.flows.size(), 1U);

    const auto flow = evidence_of(collector.flows[0]);
    EXPECT_EQ(flow.last_ns, ms(9));
    EXPECT_EQ(flow.client_hello->length, hello.size());
    const auto events = key_events(flow);
    std::vector<FlowEventKind> kinds;
    for (const auto& event : events) {
        kinds.push_back(event.kind);
    }
    EXPECT_EQ(kinds, (std::vector<FlowEventKind>{FlowEventKind::syn, FlowEventKind::syn_ack,
                                                 FlowEventKind::handshake_ack, FlowEventKind::client_hello,
                                                 FlowEventKind::client_hello_ack, FlowEventKind::server_hello,
                                                 FlowEventKind::change_cipher_spec, FlowEventKind::alert,
                                                 FlowEventKind::fin, FlowEventKind::rst}));
    EXPECT_EQ(events[0].ttl, 64);
    EXPECT_EQ(events[0].isn, default_client().isn);
    EXPECT_EQ(events[1].ttl, 61);
    EXPECT_FALSE(events[1].from_client);
    EXPECT_EQ(events[3].length, hello.size());
    EXPECT_EQ(events[4].t_ns, ms(4));
    EXPECT_EQ(events[4].ttl, 61);
    EXPECT_EQ(events[4].pure_acks, 1U);
    EXPECT_FALSE(events[6].from_client);
    EXPECT_TRUE(events[7].from_client);
    EXPECT_EQ(events[7].alert_level, 2);
    EXPECT_EQ(events[7].alert_description, 40);
    EXPECT_EQ(events[8].rel_seq, 1U + hello.size() + 5U + 2U);
    EXPECT_FALSE(events[9].from_client);
}

TEST(FlowEvents, ASynAloneAndTheHopPhrase)
{
    Collector collector;
    Conversation(collector.pipeline, default_client(), default_server()).send(Side::client, ms(0), flag::syn);
    collector.finish();
    const auto events = key_events(evidence_of(collector.flows.at(0)));
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(events[0].kind, FlowEventKind::syn);
    EXPECT_EQ(ttl_with_hops(253), "TTL 253: 2 hops from a sender starting at 255");
    EXPECT_EQ(ttl_with_hops(61), "TTL 61: 3 hops from a sender starting at 64");
}

}  // namespace
}  // namespace tlsprobe::results
