// Wrong flags and files: one line naming the problem, exit 2, nothing started.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <fstream>

#include "child_process.hpp"
#include "results/hash_model.hpp"
#include "prober/probe_record.hpp"

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

class BucketsRejects : public ::testing::TestWithParam<BadInput> {};

TEST_P(BucketsRejects, WithExitTwoAndAMessage)
{
    TempDir dir;
    prober::ProbeRecord record;
    record.src_ip = "127.0.0.1";
    record.src_port = 20000;
    record.dst_ip = "127.0.0.1";
    record.dst_port = 443;
    std::ofstream(dir.path() / "probes.jsonl") << boost::json::serialize(prober::to_json(record)) << '\n';
    std::vector<std::string> argv{tlsprobe_binary(), "buckets"};
    for (const auto& arg : GetParam().args) {
        argv.push_back(arg == "DIR" ? dir.path().string() : arg);
    }
    const auto result = run_command(argv);
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_NE(result.err.find(GetParam().message), std::string::npos) << result.err;
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "buckets.json"));
}

INSTANTIATE_TEST_SUITE_P(
    Flags, BucketsRejects,
    ::testing::Values(BadInput{{"DIR", "--model", "md5:mod=8"}, "unknown model 'md5'"},
                      BadInput{{"DIR", "--model", "jhash:seed=0xzz,mod=8"}, "parameter 'seed'"},
                      BadInput{{"DIR", "--model", "jhash:seed=1,mod=0"}, "parameter 'mod'"},
                      BadInput{{"DIR", "--background-loss", "2"}, "--background-loss"},
                      BadInput{{"/nonexistent"}, "a run directory without probes"}),
    [](const ::testing::TestParamInfo<BadInput>& param) { return "case" + std::to_string(param.index); });

// The positive path of `buckets` on a synthetic run: bucket 5 of 8 under
// jhash fails every attempt, everything else passes.
TEST(Buckets, NamesTheDeadBucketOfASyntheticRun)
{
    TempDir dir;
    const auto model = results::parse_hash_model("jhash:seed=0x1234,mod=8");
    {
        std::ofstream out(dir.path() / "probes.jsonl");
        std::uint64_t id = 0;
        for (std::uint32_t attempt = 1; attempt <= 2; ++attempt) {
            for (std::uint16_t port = 20000; port < 20200; ++port) {
                prober::ProbeRecord record;
                record.probe_id = id++;
                record.attempt = attempt;
                record.src_ip = "198.18.1.2";
                record.src_port = port;
                record.dst_ip = "198.18.100.10";
                record.dst_port = 443;
                const bool dead = model->bucket({.src = boost::asio::ip::make_address(record.src_ip),
                                                 .src_port = port,
                                                 .dst = boost::asio::ip::make_address(record.dst_ip),
                                                 .dst_port = 443}) == 5;
                record.outcome = dead ? prober::Outcome::handshake_timeout : prober::Outcome::ok;
                out << boost::json::serialize(prober::to_json(record)) << '\n';
            }
        }
    }
    const auto result =
        run_command({tlsprobe_binary(), "buckets", dir.path().string(), "--model", "jhash:seed=0x1234,mod=8"});
    EXPECT_EQ(result.exit_code, 1) << result.err;
    EXPECT_NE(result.out.find("Failures are per-flow and deterministic"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("buckets 0-4, 6, 7 are clean."), std::string::npos) << result.out;
    std::ifstream in(dir.path() / "buckets.json");
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto report = boost::json::parse(text).as_object();
    ASSERT_EQ(report.at("faulty_buckets").as_array().size(), 1U);
    EXPECT_EQ(report.at("faulty_buckets").as_array()[0].as_int64(), 5);
}

TEST(HuntRejects, AnUnknownModelBeforeProbing)
{
    TempDir dir;
    const auto out = dir.path() / "hunt";
    const auto result = run_command({tlsprobe_binary(), "hunt", "--target", "127.0.0.1:443", "--budget", "10",
                                     "--model", "nosuch:mod=4", "--out", out.string()});
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_NE(result.err.find("unknown model 'nosuch'"), std::string::npos) << result.err;
    EXPECT_FALSE(std::filesystem::exists(out));
}

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

namespace tlsprobe::testing {
namespace {

TEST(CaptureFlagRejects, AnUnknownInterfaceAndAnAgentThatNeverGetsReady)
{
    TempDir dir;
    auto result = run_command({tlsprobe_binary(), "run", "--target", "127.0.0.1:9", "--insecure", "--capture",
                               "client=no-such-if0", "--out", (dir.path() / "a").string()});
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_NE(result.err.find("--capture client=no-such-if0: no such interface here"), std::string::npos) << result.err;

    result = run_command({tlsprobe_binary(), "run", "--target", "127.0.0.1:9", "--insecure", "--capture",
                          "server=/bin/false agent", "--out", (dir.path() / "b").string()});
    EXPECT_EQ(result.exit_code, 3) << result.err;
    EXPECT_NE(result.err.find("--capture server: \"/bin/false agent\" exited before it was ready"), std::string::npos)
        << result.err;

    result = run_command({tlsprobe_binary(), "run", "--target", "127.0.0.1:9", "--insecure", "--capture",
                          "Client!=lo", "--out", (dir.path() / "c").string()});
    EXPECT_EQ(result.exit_code, 2) << result.err;
}

TEST(AnalyzeRejects, MissingFilesNonCapturesAndProbesOfAnotherRun)
{
    TempDir dir;
    auto result = run_command({tlsprobe_binary(), "analyze", "--client-pcap", "/nonexistent/client.pcap"});
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_NE(result.err.find("--client-pcap: /nonexistent/client.pcap does not exist"), std::string::npos);

    const auto not_a_capture = dir.path() / "notes.pcap";
    std::ofstream(not_a_capture) << "these are not packets\n";
    result = run_command({tlsprobe_binary(), "analyze", "--client-pcap", not_a_capture.string(), "--out",
                          (dir.path() / "out").string()});
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_NE(result.err.find(not_a_capture.string()), std::string::npos) << result.err;

    // One flow of some other connection, and a probes file that shares nothing with it.
    const auto flows = dir.path() / "client.flows.jsonl";
    std::ofstream(flows)
        << R"({"type":"flow","vantage":"client","flow_id":1,"client_ip":"198.18.1.2","client_port":40000,)"
        << R"("server_ip":"198.18.0.10","server_port":443,"first_ns":1,"syn":null,"syn_ack":null,)"
        << R"("client_hello":null,"server_hello":null,"client_to_server":{"packets":1,"payload_bytes":0,"ttls":[64],"src_macs":[]},)"
        << R"("server_to_client":{"packets":0,"payload_bytes":0,"ttls":[],"src_macs":[]},"closes":[]})" << "\n";
    const auto probes = dir.path() / "probes.jsonl";
    std::ofstream(probes) << R"({"probe_id":0,"attempt":1,"src_ip":"127.0.0.1","src_port":20000,"dst_ip":"127.0.0.1",)"
                          << R"("dst_port":8443,"outcome":"ok","client_random":"aa"})" << "\n";
    result = run_command({tlsprobe_binary(), "analyze", "--client-flows", flows.string(), "--probes", probes.string(),
                          "--out", (dir.path() / "out2").string()});
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_NE(result.err.find("holds none of the 1 probes"), std::string::npos) << result.err;

    std::ofstream(flows, std::ios::app) << "{\"type\":\"flow\",\"flow_id\":\"two\"}\n";
    result = run_command({tlsprobe_binary(), "analyze", "--client-flows", flows.string(), "--out",
                          (dir.path() / "out3").string()});
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_NE(result.err.find(flows.string() + ":2:"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace tlsprobe::testing
