#include "scenarios/run_plan.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "cli/error_message.hpp"
#include "core/errors.hpp"

namespace tlsprobe::scenarios {
namespace {


std::string usage_message(auto&& call)
{
    try {
        call();
    } catch (const core::UsageError& error) {
        return cli::message_of(error);
    }
    return "no error";
}

TEST(ParseEndpoint, AcceptsNamesIPv4AndBracketedIPv6)
{
    EXPECT_EQ(parse_endpoint("example.test:443", "target").host, "example.test");
    EXPECT_EQ(parse_endpoint("198.18.0.1:8443", "target").port, 8443);
    const auto v6 = parse_endpoint("[2001:db8::1]:443", "target");
    EXPECT_EQ(v6.host, "2001:db8::1");
    EXPECT_EQ(v6.port, 443);
}

TEST(ParseEndpoint, RejectsWithTheFlagAndTheProblem)
{
    EXPECT_EQ(usage_message([] { (void)parse_endpoint("2001:db8::1:443", "target"); }),
              "--target: \"2001:db8::1:443\" is not HOST:PORT (write IPv6 addresses as [ADDR]:PORT)");
    EXPECT_EQ(usage_message([] { (void)parse_endpoint("host:99999", "target"); }),
              "--target: port \"99999\" is not a number in 1-65535");
    EXPECT_EQ(usage_message([] { (void)parse_endpoint(":443", "target"); }), "--target: \":443\" has no host");
    EXPECT_EQ(usage_message([] { (void)parse_endpoint("host:0", "target"); }),
              "--target: port \"0\" is not a number in 1-65535");
    EXPECT_EQ(parse_endpoint("127.0.0.1:0", "listen", PortZero::allowed).port, 0);
}

TEST(ParsePortRange, ChecksOrderAndBounds)
{
    const auto range = parse_port_range("20000-20999", "ports");
    EXPECT_EQ(range.low, 20000);
    EXPECT_EQ(range.high, 20999);
    EXPECT_EQ(parse_port_range("443", "ports").high, 443);
    EXPECT_EQ(usage_message([] { (void)parse_port_range("3000-2000", "ports"); }),
              "--ports: \"3000-2000\" is reversed (low port above high port)");
    EXPECT_EQ(usage_message([] { (void)parse_port_range("0-100", "ports"); }),
              "--ports: \"0-100\" is not LO-HI with ports in 1-65535");
    EXPECT_EQ(usage_message([] { (void)parse_port_range("1-70000", "ports"); }),
              "--ports: \"1-70000\" is not LO-HI with ports in 1-65535");
}

TEST(ReadPortsFile, SkipsCommentsAndNamesTheBadLine)
{
    const auto path = std::filesystem::temp_directory_path() / "tlsprobe_ports_test.txt";
    std::ofstream(path) << "# sweep\n40000\n\n40001  # second\n";
    EXPECT_EQ(read_ports_file(path), (std::vector<std::uint16_t>{40000, 40001}));
    std::ofstream(path) << "40000\nforty\n";
    try {
        (void)read_ports_file(path);
        FAIL() << "a bad line must be rejected";
    } catch (const core::InputError& error) {
        EXPECT_EQ(std::string(error.what()), path.string() + ":2: \"forty\" is not a port in 1-65535");
    }
    std::filesystem::remove(path);
}

TEST(Validate, CapsRateAndConcurrencyUnlessHighLoadIsAllowed)
{
    RunPlan plan;
    plan.rate = 5000;
    plan.concurrency = 5000;
    const auto notes = validate(plan);
    EXPECT_EQ(plan.rate, default_rate_cap);
    EXPECT_EQ(plan.concurrency, default_concurrency_cap);
    EXPECT_EQ(notes.size(), 2U);

    RunPlan unpaced;
    unpaced.rate = 0;
    (void)validate(unpaced);
    EXPECT_EQ(unpaced.rate, default_rate_cap);

    RunPlan high;
    high.rate = 5000;
    high.concurrency = 5000;
    high.allow_high_load = true;
    EXPECT_TRUE(validate(high).empty());
    EXPECT_EQ(high.rate, 5000);
    EXPECT_EQ(high.concurrency, 5000U);
}

TEST(Validate, RejectsMissingCaFileAndConflicts)
{
    RunPlan plan;
    plan.tls.ca_file = "/nonexistent/ca.pem";
    EXPECT_EQ(usage_message([&] { (void)validate(plan); }),
              "--ca-file: /nonexistent/ca.pem does not exist or is not a file");
    RunPlan unpaced_duration;
    unpaced_duration.allow_high_load = true;
    unpaced_duration.rate = 0;
    unpaced_duration.duration = std::chrono::seconds(5);
    EXPECT_NE(usage_message([&] { (void)validate(unpaced_duration); }), "no error");
}

TEST(PlannedProbes, CountThenDurationThenOnePerPort)
{
    RunPlan plan;
    plan.port_range = {30000, 30099};
    EXPECT_EQ(planned_probes(plan), 100U);
    plan.duration = std::chrono::seconds(3);
    plan.rate = 50;
    EXPECT_EQ(planned_probes(plan), 150U);
    plan.count = 7;
    EXPECT_EQ(planned_probes(plan), 7U);
}

}  // namespace
}  // namespace tlsprobe::scenarios
