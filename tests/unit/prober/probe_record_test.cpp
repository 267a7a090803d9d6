#include "prober/probe_record.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "core/errors.hpp"

namespace tlsprobe::prober {
namespace {

ProbeRecord full_record()
{
    ProbeRecord record;
    record.probe_id = 41;
    record.attempt = 2;
    record.src_ip = "198.18.0.2";
    record.src_port = 40001;
    record.dst_ip = "2001:db8::443";
    record.dst_port = 443;
    record.outcome = Outcome::handshake_timeout;
    record.t.scheduled = 1'000;
    record.t.connect_start = 1'500;
    record.t.established = 90'000;
    record.t.client_hello = 95'000;
    record.t.closed = 5'000'095'000;
    record.tcp_at_client_hello = TcpInfoSnapshot{0, 1, 1, 88, 44};
    record.tcp_at_end = TcpInfoSnapshot{0, 0, 294, 90, 20};
    record.client_hello_acked = true;
    record.client_hello_bytes = 288;
    record.client_random = std::string(64, 'a');
    record.error = "timed out";
    record.alert = "handshake failure";
    record.alert_from = "server";
    return record;
}

TEST(ProbeRecord, RoundTripsThroughJson)
{
    const auto record = full_record();
    const auto text = boost::json::serialize(to_json(record));
    const auto back = probe_record_from_json(boost::json::parse(text).as_object());
    EXPECT_EQ(boost::json::serialize(to_json(back)), text);
    EXPECT_EQ(back.outcome, Outcome::handshake_timeout);
    EXPECT_EQ(back.t.client_hello, 95'000);
    EXPECT_FALSE(back.t.server_hello.has_value());
    EXPECT_EQ(back.tcp_at_end->bytes_acked, 294U);
    EXPECT_EQ(back.client_hello_acked, true);
}

TEST(ProbeRecord, AbsentPhasesAreAbsentFields)
{
    const auto json = to_json(full_record());
    EXPECT_FALSE(json.contains("t_server_hello"));
    EXPECT_FALSE(json.contains("t_handshake_done"));
    EXPECT_EQ(json.at("outcome").as_string(), "handshake_timeout");
}

TEST(ProbeRecord, NamesTheBadField)
{
    auto json = to_json(full_record());
    json["outcome"] = "exploded";
    try {
        (void)probe_record_from_json(json);
        FAIL();
    } catch (const core::InputError& error) {
        EXPECT_STREQ(error.what(), "field \"outcome\" has unknown value \"exploded\"");
    }
    json = to_json(full_record());
    json["src_port"] = 70000;
    EXPECT_THROW((void)probe_record_from_json(json), core::InputError);
    json = to_json(full_record());
    json.erase("probe_id");
    EXPECT_THROW((void)probe_record_from_json(json), core::InputError);
}

TEST(ProbeRecord, EveryOutcomeNameRoundTrips)
{
    for (int i = 0; i < outcome_count; ++i) {
        const auto outcome = static_cast<Outcome>(i);
        EXPECT_EQ(outcome_from_string(to_string(outcome)), outcome);
    }
    EXPECT_FALSE(is_path_failure(Outcome::ok));
    EXPECT_FALSE(is_path_failure(Outcome::local_error));
    EXPECT_FALSE(is_path_failure(Outcome::interrupted));
    EXPECT_TRUE(is_path_failure(Outcome::connect_timeout));
    EXPECT_EQ(to_string(Outcome::interrupted), "interrupted");
}

}  // namespace
}  // namespace tlsprobe::prober
