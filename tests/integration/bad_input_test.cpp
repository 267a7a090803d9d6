// Wrong flags and files: one line naming the problem, exit 2, nothing started.
#include <gtest/gtest.h>

#include "child_process.hpp"

namespace tlsprobe::testing {
namespace {

struct BadInput {
    std::vector<std::string> args;
    std::string message;
};

void PrintTo(const BadInput& input, std::ostream* out)
{
    for (const auto& arg : input.args) {
        *out << arg << ' ';
    }
}

class RunRejects : public ::testing::TestWithParam<BadInput> {};

TEST_P(RunRejects, WithExitTwoAMessageAndNoRunDirectory)
{
    TempDir dir;
    const auto out = dir.path() / "run";
    std::vector<std::string> argv{tlsprobe_binary(), "run", "--out", out.string()};
    argv.insert(argv.end(), GetParam().args.begin(), GetParam().args.end());
    const auto result = run_command(argv);
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_NE(result.err.find(GetParam().message), std::string::npos) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_FALSE(std::filesystem::exists(out));
}

INSTANTIATE_TEST_SUITE_P(
    Flags, RunRejects,
    ::testing::Values(
        BadInput{{"--target", "localhost"}, "--target: \"localhost\" is not HOST:PORT"},
        BadInput{{"--target", "127.0.0.1:70000"}, "--target: port \"70000\" is not a number in 1-65535"},
        BadInput{{"--target", "127.0.0.1:443", "--ports", "3000-2000"}, "--ports: \"3000-2000\" is reversed"},
        BadInput{{"--target", "127.0.0.1:443", "--ports", "0-10"}, "--ports: \"0-10\" is not LO-HI"},
        BadInput{{"--target", "127.0.0.1:443", "--ca-file", "/nonexistent/ca.pem"},
                 "--ca-file: /nonexistent/ca.pem does not exist"},
        BadInput{{"--target", "127.0.0.1:443", "--insecure", "--ca-file", "/etc/hostname"}, "excludes"},
        BadInput{{"--target", "127.0.0.1:443", "--count", "5", "--duration", "3"}, "excludes"},
        BadInput{{"--target", "127.0.0.1:443", "--tls-version", "1.1"}, "--tls-version"},
        BadInput{{"--target", "127.0.0.1:443", "--groups", "nonsense-group"}, "--groups: OpenSSL rejects"},
        BadInput{{"--target", "127.0.0.1:443", "--bogus"}, "--bogus"},
        BadInput{{"--target", "127.0.0.1:443", "--ports-file", "/nonexistent/ports"}, "--ports-file"},
        BadInput{{"--target", "no-such-host.invalid:443"}, "--target: cannot resolve \"no-such-host.invalid\""}),
    [](const ::testing::TestParamInfo<BadInput>& param) { return "case" + std::to_string(param.index); });

TEST(ServeRejects, ANonAddressListenAndAMissingKey)
{
    auto result = run_command({tlsprobe_binary(), "serve", "--listen", "localhost:8443", "--duration", "1"});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.err.find("--listen: \"localhost\" is not an IP address"), std::string::npos) << result.err;
    result = run_command({tlsprobe_binary(), "serve", "--cert", "/etc/hostname", "--duration", "1"});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.err.find("--key"), std::string::npos) << result.err;
    result = run_command({tlsprobe_binary(), "serve", "--cert", "/etc/hostname", "--key", "/etc/hostname",
                          "--duration", "1"});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.err.find("--cert: /etc/hostname holds no PEM certificate"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace tlsprobe::testing
