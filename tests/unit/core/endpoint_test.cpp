#include "core/endpoint.hpp"

#include <gtest/gtest.h>

#include <string>

#include "cli/error_message.hpp"
#include "core/errors.hpp"

namespace tlsprobe::core {
namespace {

template <typename Call>
std::string usage_message(Call call)
{
    try {
        call();
    } catch (const UsageError& error) {
        return cli::message_of(error);
    }
    return "no error";
}

TEST(ParseEndpoint, AcceptsIPv4NamesAndBracketedIPv6)
{
    const auto v4 = parse_endpoint("198.18.0.1:8443", "target");
    EXPECT_EQ(v4.host, "198.18.0.1");
    EXPECT_EQ(v4.port, 8443);
    const auto name = parse_endpoint("example.test:443", "target");
    EXPECT_EQ(name.host, "example.test");
    EXPECT_EQ(name.port, 443);
    const auto v6 = parse_endpoint("[2001:db8::1]:65535", "connect");
    EXPECT_EQ(v6.host, "2001:db8::1");
    EXPECT_EQ(v6.port, 65535);
}

TEST(ParseEndpoint, PortZeroOnlyWhenAllowed)
{
    EXPECT_EQ(parse_endpoint("[::1]:0", "listen", PortZero::allowed).port, 0);
    EXPECT_EQ(usage_message([] { (void)parse_endpoint("[::1]:0", "connect"); }),
              "--connect: port \"0\" is not a number in 1-65535");
}

TEST(ParseEndpoint, ErrorsNameTheFlagTheValueAndTheProblem)
{
    EXPECT_EQ(usage_message([] { (void)parse_endpoint("2001:db8::1:443", "target"); }),
              "--target: \"2001:db8::1:443\" is not HOST:PORT (write IPv6 addresses as [ADDR]:PORT)");
    EXPECT_EQ(usage_message([] { (void)parse_endpoint("[2001:db8::1]443", "target"); }),
              "--target: \"[2001:db8::1]443\" is not [IPV6]:PORT");
    EXPECT_EQ(usage_message([] { (void)parse_endpoint("[2001:db8::1", "target"); }),
              "--target: \"[2001:db8::1\" is not [IPV6]:PORT");
    EXPECT_EQ(usage_message([] { (void)parse_endpoint("example.test", "target"); }),
              "--target: \"example.test\" is not HOST:PORT (write IPv6 addresses as [ADDR]:PORT)");
    EXPECT_EQ(usage_message([] { (void)parse_endpoint(":443", "target"); }), "--target: \":443\" has no host");
    EXPECT_EQ(usage_message([] { (void)parse_endpoint("[]:443", "target"); }), "--target: \"[]:443\" has no host");
    EXPECT_EQ(usage_message([] { (void)parse_endpoint("host:99999", "target"); }),
              "--target: port \"99999\" is not a number in 1-65535");
    EXPECT_EQ(usage_message([] { (void)parse_endpoint("host:44x", "target"); }),
              "--target: port \"44x\" is not a number in 1-65535");
}

TEST(ParsePort, WholeDecimalInRange)
{
    EXPECT_EQ(parse_port("443"), 443);
    EXPECT_EQ(parse_port("0", 0), 0);
    EXPECT_FALSE(parse_port("0").has_value());
    EXPECT_FALSE(parse_port("65536").has_value());
    EXPECT_FALSE(parse_port(" 443").has_value());
    EXPECT_FALSE(parse_port("").has_value());
}

}  // namespace
}  // namespace tlsprobe::core
