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

TEST(OutcomeRules, MidstreamFailures)
{
    EXPECT_EQ(midstream_outcome({StreamStatus::reset, {}}), Outcome::midstream_reset);
    EXPECT_EQ(midstream_outcome({StreamStatus::timeout, {}}), Outcome::midstream_timeout);
    EXPECT_EQ(midstream_outcome({StreamStatus::eof, {}}), Outcome::midstream_close);
    EXPECT_EQ(midstream_outcome({StreamStatus::close_notify, {}}), Outcome::midstream_close);
    EXPECT_EQ(midstream_outcome({StreamStatus::tls_error, {}}), Outcome::tls_alert);
}

}  // namespace
}  // namespace tlsprobe::prober
