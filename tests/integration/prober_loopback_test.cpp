// `tlsprobe run` against `tlsprobe serve` on loopback, as a user runs them.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/pem.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <map>
#include <set>
#include <thread>

#include "child_process.hpp"
#include "core/sha256.hpp"
#include "serve_process.hpp"
#include "run_records.hpp"

namespace tlsprobe::testing {
namespace {

using prober::Outcome;

std::vector<std::string> run_args(const Server& server, const std::filesystem::path& out,
                                  std::initializer_list<std::string> extra)
{
    std::vector<std::string> args{tlsprobe_binary(), "run", "--target", server.target(), "--ca-file",
                                  server.ca_file(), "--out", out.string()};
    args.insert(args.end(), extra);
    return args;
}

// SHA-256 of the DER of the (first) certificate in a PEM file.
std::string certificate_sha256(const std::string& pem_path)
{
    std::unique_ptr<FILE, decltype(&std::fclose)> file(std::fopen(pem_path.c_str(), "r"), &std::fclose);
    std::unique_ptr<X509, decltype(&X509_free)> certificate(PEM_read_X509(file.get(), nullptr, nullptr, nullptr),
                                                            &X509_free);
    unsigned char* der = nullptr;
    const int size = i2d_X509(certificate.get(), &der);
    std::string hash =
        core::sha256_hex(std::string_view(reinterpret_cast<const char*>(der), static_cast<std::size_t>(size)));
    OPENSSL_free(der);
    return hash;
}

// The most probes whose [connect start, close] intervals overlap.
std::size_t peak_in_flight(const std::vector<prober::ProbeRecord>& records)
{
    std::vector<std::pair<std::int64_t, int>> events;
    for (const auto& record : records) {
        events.emplace_back(*record.t.connect_start, 1);
        events.emplace_back(*record.t.closed, -1);
    }
    std::sort(events.begin(), events.end());
    int current = 0;
    int peak = 0;
    for (const auto& [time, delta] : events) {
        current += delta;
        peak = std::max(peak, current);
    }
    return static_cast<std::size_t>(peak);
}

TEST(ProberLoopback, TwoThousandProbesAtConcurrency500AllOkFromDistinctRequestedPorts)
{
    Server server("normal");
    TempDir dir;
    const auto out = dir.path() / "run";
    // Each probe holds its connection 0.3 s after the exchange, so the slots
    // fill however fast the machine completes handshakes (without the hold,
    // a fast loopback finishes probes about as soon as they start).
    const auto result = run_command(run_args(server, out,
                                             {"--ports", "20000-21999", "--concurrency", "500", "--rate", "0",
                                              "--allow-high-load", "--handshake-timeout", "30", "--data-timeout", "30",
                                              "--hold", "0.3"}));
    ASSERT_EQ(result.exit_code, 0) << result.err;
    const auto records = read_probes(out);
    ASSERT_EQ(records.size(), 2000U);
    std::set<std::uint16_t> ports;
    for (const auto& record : records) {
        EXPECT_EQ(record.outcome, Outcome::ok) << record.src_port << " " << record.error;
        EXPECT_GE(record.src_port, 20000);
        EXPECT_LE(record.src_port, 21999);
        EXPECT_EQ(record.http_status, 200);
        EXPECT_EQ(record.client_random.size(), 64U);
        EXPECT_TRUE(record.t.handshake_done && record.t.first_byte && record.t.closed);
        ports.insert(record.src_port);
    }
    EXPECT_EQ(ports.size(), 2000U);
    const auto peak = peak_in_flight(records);
    EXPECT_LE(peak, 500U);
    EXPECT_GE(peak, 50U) << "an unpaced run should fill many concurrency slots";
    const auto summary = read_summary(out);
    EXPECT_EQ(summary.at("outcomes").at("ok").to_number<std::uint64_t>(), 2000U);
    EXPECT_FALSE(summary.at("interrupted").as_bool());
    EXPECT_NE(result.out.find("ok                       2000 100.00%"), std::string::npos) << result.out;
}

TEST(ProberLoopback, SilentServerGivesHandshakeTimeoutWithTheClientHelloAcked)
{
    Server server("silent");
    TempDir dir;
    const auto out = dir.path() / "run";
    const auto result = run_command(
        run_args(server, out, {"--ports", "22000-22029", "--rate", "100", "--handshake-timeout", "1"}));
    EXPECT_EQ(result.exit_code, 1) << "failures make the run unhealthy";
    const auto records = read_probes(out);
    ASSERT_EQ(records.size(), 30U);
    for (const auto& record : records) {
        EXPECT_EQ(record.outcome, Outcome::handshake_timeout);
        EXPECT_EQ(record.client_hello_acked, true);
        EXPECT_TRUE(record.t.client_hello.has_value());
        EXPECT_FALSE(record.t.server_hello.has_value());
    }
}

TEST(ProberLoopback, ResetAfterHandshakeGivesMidstreamReset)
{
    Server server("reset-after-handshake");
    TempDir dir;
    const auto out = dir.path() / "run";
    const auto result = run_command(run_args(server, out, {"--ports", "22100-22129", "--rate", "100"}));
    EXPECT_EQ(result.exit_code, 1);
    const auto records = read_probes(out);
    ASSERT_EQ(records.size(), 30U);
    for (const auto& record : records) {
        EXPECT_EQ(record.outcome, Outcome::midstream_reset) << record.error;
        EXPECT_TRUE(record.t.handshake_done.has_value());
    }
}

TEST(ProberLoopback, CloseAfterHandshakeGivesMidstreamClose)
{
    Server server("close-after-handshake");
    TempDir dir;
    const auto out = dir.path() / "run";
    const auto result = run_command(run_args(server, out, {"--ports", "22200-22209", "--rate", "100"}));
    const auto records = read_probes(out);
    ASSERT_EQ(records.size(), 10U);
    for (const auto& record : records) {
        EXPECT_EQ(record.outcome, Outcome::midstream_close);
    }
}

TEST(ProberLoopback, ClosedPortGivesConnectRefused)
{
    TempDir dir;
    const auto out = dir.path() / "run";
    const auto target = "127.0.0.1:" + std::to_string(free_loopback_port());
    const auto result = run_command({tlsprobe_binary(), "run", "--target", target, "--insecure", "--ports",
                                     "22300-22309", "--out", out.string()});
    EXPECT_EQ(result.exit_code, 1);
    const auto records = read_probes(out);
    ASSERT_EQ(records.size(), 10U);
    for (const auto& record : records) {
        EXPECT_EQ(record.outcome, Outcome::connect_refused);
    }
}

TEST(ProberLoopback, PortBoundElsewhereIsALocalErrorNotAPathFailure)
{
    Server server("normal");
    const int blocker = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(22401);
    address.sin_addr.s_addr = htonl(INADDR_ANY);
    ASSERT_EQ(::bind(blocker, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    ASSERT_EQ(::listen(blocker, 1), 0);
    TempDir dir;
    const auto out = dir.path() / "run";
    const auto result = run_command(run_args(server, out, {"--ports", "22400-22402", "--rate", "100"}));
    ::close(blocker);
    EXPECT_EQ(result.exit_code, 0) << "a local error is not a path failure";
    std::map<std::uint16_t, Outcome> outcomes;
    for (const auto& record : read_probes(out)) {
        outcomes[record.src_port] = record.outcome;
    }
    EXPECT_EQ(outcomes[22400], Outcome::ok);
    EXPECT_EQ(outcomes[22401], Outcome::local_error);
    EXPECT_EQ(outcomes[22402], Outcome::ok);
    EXPECT_EQ(read_summary(out).at("outcomes").at("local_error").to_number<std::uint64_t>(), 1U);
}

TEST(ProberLoopback, InterruptKeepsValidRecordsAndWritesAnInterruptedSummary)
{
    Server server("normal");
    TempDir dir;
    const auto out = dir.path() / "run";
    ChildProcess run(run_args(server, out, {"--ports", "22500-22899", "--rate", "50"}));
    // Interrupt once a quarter of the 8-second run is on disk.
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (read_probes(out).size() < 100 && std::chrono::steady_clock::now() < give_up) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    run.send_signal(SIGINT);
    EXPECT_EQ(run.wait(), 130);
    const auto records = read_probes(out);
    EXPECT_LT(records.size(), 400U);
    const auto summary = read_summary(out);
    EXPECT_TRUE(summary.at("interrupted").as_bool());
    EXPECT_EQ(summary.at("probes").to_number<std::uint64_t>(), records.size());
}

TEST(ProberLoopback, ResumePaddingTls12AndIpv6DoWhatTheFlagsSay)
{
    TempDir dir;
    ChildProcess serve({tlsprobe_binary(), "-q", "serve", "--listen", "127.0.0.1:0", "--listen", "[::1]:0",
                        "--cert-out", (dir.path() / "ca.pem").string(), "--duration", "120"});
    const auto v4 = serve.read_line(std::chrono::seconds(10));
    const auto v6 = serve.read_line(std::chrono::seconds(10));
    ASSERT_TRUE(v4 && v6);
    const auto ca = (dir.path() / "ca.pem").string();
    const auto served_cert_sha256 = certificate_sha256(ca);

    // Each worker's first probe is a full handshake, every later one resumes.
    // One slot per worker, so a worker's second probe starts only after its
    // first one has its session, however slow the machine.
    const auto resumed = dir.path() / "resumed";
    auto result = run_command({tlsprobe_binary(), "run", "--target", v4->substr(10), "--ca-file", ca, "--ports",
                               "22600-22619", "--workers", "2", "--concurrency", "2", "--resume", "--out",
                               resumed.string()});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    std::size_t full = 0;
    for (const auto& record : read_probes(resumed)) {
        full += record.resumed ? 0U : 1U;
        EXPECT_EQ(record.outcome, Outcome::ok);
        EXPECT_EQ(record.server_cert_sha256, served_cert_sha256) << "resumed " << record.resumed;
    }
    EXPECT_EQ(full, 2U);

    // A ClientHello grown past one segment, over TLS 1.2 and IPv6.
    const auto padded = dir.path() / "padded";
    result = run_command({tlsprobe_binary(), "run", "--target", v6->substr(10), "--ca-file", ca, "--ports",
                          "22700-22704", "--tls-version", "1.2", "--pad-client-hello", "1600", "--out",
                          padded.string()});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    for (const auto& record : read_probes(padded)) {
        EXPECT_EQ(record.outcome, Outcome::ok) << record.error;
        EXPECT_EQ(record.client_hello_bytes, 1600U);
        EXPECT_EQ(record.tls_version, "TLSv1.2");
        EXPECT_EQ(record.server_cert_sha256, served_cert_sha256);
        EXPECT_EQ(record.src_ip, "::1");
    }
}

}  // namespace
}  // namespace tlsprobe::testing
