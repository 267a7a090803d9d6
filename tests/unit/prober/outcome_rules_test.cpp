#include "prober/outcome_rules.hpp"

#include <boost/asio/error.hpp>
#include <gtest/gtest.h>

namespace tlsprobe::prober {
namespace {

using prober::Outcome;
namespace error = boost::asio::error;

TEST(OutcomeRules, ConnectFailures)
{
    EXPECT_EQ(connect_outcome(error::connection_refused), Outcome::connect_refused);
    EXPECT_EQ(connect_outcome(error::address_in_use), Outcome::local_error);
    EXPECT_EQ(connect_outcome(boost::system::errc::make_error_code(boost::system::errc::address_not_available)),
              Outcome::local_error);
    EXPECT_EQ(connect_outcome(error::no_descriptors), Outcome::local_error);
    EXPECT_EQ(connect_outcome(error::host_unreachable), Outcome::connect_error);
    EXPECT_EQ(connect_outcome(error::network_unreachable), Outcome::connect_error);
    EXPECT_EQ(connect_outcome(error::connection_reset), Outcome::connect_error);
}

TEST(OutcomeRules, HandshakeFailures)
{
    EXPECT_EQ(handshake_outcome({StreamStatus::timeout, {}}, false, false), Outcome::handshake_timeout);
    EXPECT_EQ(handshake_outcome({StreamStatus::eof, {}}, false, false), Outcome::handshake_eof);
    EXPECT_EQ(handshake_outcome({StreamStatus::close_notify, {}}, false, false), Outcome::handshake_eof);
    EXPECT_EQ(handshake_outcome({StreamStatus::reset, {}}, false, false), Outcome::handshake_reset);
    EXPECT_EQ(handshake_outcome({StreamStatus::tls_error, {}}, true, false), Outcome::tls_alert);
    EXPECT_EQ(handshake_outcome({StreamStatus::tls_error, {}}, false, false), Outcome::tls_alert);
    EXPECT_EQ(handshake_outcome({StreamStatus::tls_error, {}}, false, true), Outcome::cert_error);
    // An alert from the server outranks our own verification result.
    EXPECT_EQ(handshake_outcome({StreamStatus::tls_error, {}}, true, true), Outcome::tls_alert);
}

TEST(OutcomeRules, ServerBytesThatAreNotTlsAreNotTls)
{
    EXPECT_EQ(handshake_outcome({StreamStatus::tls_error, "wrong version number"}, false, false, true),
              Outcome::not_tls);
    // A failed verification of a certificate that never came is not the story.
    EXPECT_EQ(handshake_outcome({StreamStatus::tls_error, {}}, false, true, true), Outcome::not_tls);
    // A timeout or reset after a non-TLS banner is still what ended the handshake.
    EXPECT_EQ(handshake_outcome({StreamStatus::timeout, {}}, false, false, true), Outcome::handshake_timeout);
    EXPECT_EQ(handshake_outcome({StreamStatus::reset, {}}, false, false, true), Outcome::handshake_reset);
}

TEST(OutcomeRules, ClientHelloAckedCountsTheClientHelloFlightOnly)
{
    // 517 bytes of ClientHello, then a 7-byte alert of our own that the peer never ACKed.
    TcpInfoSnapshot at_end;
    at_end.bytes_acked = 1 + 517;
    EXPECT_TRUE(client_hello_acked(at_end, 517, false));
    at_end.bytes_acked = 1 + 516;
    EXPECT_FALSE(client_hello_acked(at_end, 517, false));
    at_end.bytes_acked = 1;
    EXPECT_FALSE(client_hello_acked(at_end, 517, false));
    // A ServerHello read means the hello got there, whatever TCP_INFO says.
    EXPECT_TRUE(client_hello_acked(at_end, 517, true));
}

TEST(OutcomeRules, MidstreamFailures)
{
    EXPECT_EQ(midstream_outcome({StreamStatus::reset, {}}), Outcome::midstream_reset);
    EXPECT_EQ(midstream_outcome({StreamStatus::timeout, {}}), Outcome::midstream_timeout);
    EXPECT_EQ(midstream_outcome({StreamStatus::eof, {}}), Outcome::midstream_close);
    EXPECT_EQ(midstream_outcome({StreamStatus::close_notify, {}}), Outcome::midstream_close);
    EXPECT_EQ(midstream_outcome({StreamStatus::tls_error, {}}), Outcome::tls_alert);
}

TEST(OutcomeRules, PhaseInProgressIsTheFirstPhaseWithoutItsEnd)
{
    PhaseTimes t;
    t.scheduled = 0;
    EXPECT_EQ(phase_in_progress(t), "start_lag");
    t.connect_start = 10;
    EXPECT_EQ(phase_in_progress(t), "tcp_connect");
    t.established = 20;
    EXPECT_EQ(phase_in_progress(t), "tls_handshake");
    t.client_hello = 30;
    EXPECT_EQ(phase_in_progress(t), "server_hello_wait");
    t.server_hello = 40;
    EXPECT_EQ(phase_in_progress(t), "tls_handshake");
    t.handshake_done = 50;
    EXPECT_EQ(phase_in_progress(t), "close");
    t.request = 60;
    EXPECT_EQ(phase_in_progress(t), "time_to_first_byte");
    t.first_byte = 70;
    EXPECT_EQ(phase_in_progress(t), "response");
    t.done = 80;
    EXPECT_EQ(phase_in_progress(t), "close");
}

TEST(OutcomeRules, AnInterruptedProbeKeepsItsPhasesAndSaysWhereItStopped)
{
    ProbeRecord record;
    record.t.scheduled = 1'000'000'000;
    record.t.connect_start = 1'500'000'000;
    record.t.established = 1'600'000'000;
    record.t.client_hello = 1'700'000'000;
    record.tcp_at_client_hello = TcpInfoSnapshot{.retransmits = 0, .unacked = 1, .bytes_acked = 1, .rtt_us = 40, .rtt_var_us = 20};
    mark_interrupted(record, 4'000'000'000);
    EXPECT_EQ(record.outcome, Outcome::interrupted);
    EXPECT_EQ(record.error, "interrupted 2.5 s into the probe, in phase server_hello_wait");
    EXPECT_EQ(record.t.client_hello, 1'700'000'000);
    EXPECT_TRUE(record.tcp_at_client_hello.has_value());
    EXPECT_FALSE(record.t.closed.has_value());

    // Not started yet: the time counts from when it was due.
    ProbeRecord waiting;
    waiting.t.scheduled = 3'000'000'000;
    mark_interrupted(waiting, 4'000'000'000);
    EXPECT_EQ(waiting.error, "interrupted 1.0 s into the probe, in phase start_lag");
}

}  // namespace
}  // namespace tlsprobe::prober
