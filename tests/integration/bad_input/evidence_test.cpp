// The cases of the bad-input suite that need a live server or standard
// input, so they do not fit the table: each pins one item of the issue
// "Never healthy without evidence".
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "../run_records.hpp"
#include "child_process.hpp"
#include "../serve_process.hpp"
#include "core/file_descriptor.hpp"

namespace tlsprobe::testing {
namespace {

using prober::Outcome;

int exit_of(const CommandResult& result)
{
    EXPECT_LT(result.exit_code, 128) << "crashed: " << result.err;
    return result.exit_code;
}

TEST(Version, PrintsTheProjectVersion)
{
    const auto result = run_command({tlsprobe_binary(), "--version"});
    EXPECT_EQ(exit_of(result), 0) << result.err;
    EXPECT_EQ(result.out, "tlsprobe 0.1.0\n");
}

// Item 11: a second server on a held port must not share it.
TEST(Serve, ASecondServerOnAHeldPortExitsThreeNamingTheAddress)
{
    const Server first("normal");
    const auto result =
        run_command({tlsprobe_binary(), "serve", "--listen", first.target(), "--duration", "5"}, std::chrono::seconds(30));
    EXPECT_EQ(exit_of(result), 3) << result.err;
    EXPECT_NE(result.err.find("cannot listen on " + first.target()), std::string::npos) << result.err;
    EXPECT_EQ(result.out.find("listening"), std::string::npos) << result.out;
}

// Item 6: a rejected certificate comes after the ServerHello, so the
// ClientHello was ACKed; the client's own alert does not make it unACKed.
TEST(ClientHelloAcked, IsTrueOnCertErrorRecords)
{
    const Server server("normal");
    TempDir dir;
    const auto out = dir.path() / "run";
    // No --ca-file: the self-signed certificate fails verification.
    const auto result = run_command({tlsprobe_binary(), "run", "--target", server.target(), "--ports", "23000-23004",
                                     "--rate", "50", "--out", out.string()});
    EXPECT_EQ(exit_of(result), 1) << result.err;
    const auto records = read_probes(out);
    ASSERT_EQ(records.size(), 5U);
    for (const auto& record : records) {
        EXPECT_EQ(record.outcome, Outcome::cert_error) << record.error;
        ASSERT_TRUE(record.client_hello_acked.has_value());
        EXPECT_TRUE(*record.client_hello_acked);
    }
}

// Items 8 and 17a: more probes than ports against a silent server; each
// re-probe of a port waits for the previous attempt to end, so none fails
// to bind, and attempts count per port, a port listed twice included.
TEST(RepeatedTuples, WaitForTheirPreviousAttemptAndCountAttempts)
{
    const Server server("silent");
    TempDir dir;
    const auto ports_file = dir.path() / "ports";
    std::ofstream(ports_file) << "23100\n23101\n23100\n";
    const auto out = dir.path() / "run";
    const auto result = run_command({tlsprobe_binary(), "run", "--target", server.target(), "--ca-file",
                                     server.ca_file(), "--ports-file", ports_file.string(), "--count", "9",
                                     "--workers", "2", "--handshake-timeout", "0.5", "--out", out.string()});
    EXPECT_EQ(exit_of(result), 1) << result.err;
    const auto records = read_probes(out);
    ASSERT_EQ(records.size(), 9U);
    std::map<std::uint16_t, std::vector<std::uint32_t>> attempts;
    for (const auto& record : records) {
        EXPECT_EQ(record.outcome, Outcome::handshake_timeout) << record.src_port << ": " << record.error;
        attempts[record.src_port].push_back(record.attempt);
    }
    for (auto& [port, seen] : attempts) {
        std::sort(seen.begin(), seen.end());
    }
    EXPECT_EQ(attempts[23100], (std::vector<std::uint32_t>{1, 2, 3, 4, 5, 6}));
    EXPECT_EQ(attempts[23101], (std::vector<std::uint32_t>{1, 2, 3}));
}

// Item 2: a capture vantage whose agent stops right after it said ready saw
// nothing of the run: the run cannot be healthy (exit 4, the reason named).
// Item 20: summary.json says when the run started (UTC) and how it was made.
TEST(CaptureVantage, ThatStopsEarlyMakesTheRunInconclusive)
{
    const Server server("normal");
    TempDir dir;
    const auto agent = dir.path() / "agent.sh";
    std::ofstream(agent) << "#!/bin/sh\necho '{\"type\":\"capture_ready\",\"vantage\":\"server\"}'\nexit 1\n";
    std::filesystem::permissions(agent, std::filesystem::perms::owner_all);
    const auto out = dir.path() / "run";
    const auto result = run_command({tlsprobe_binary(), "run", "--target", server.target(), "--ca-file",
                                     server.ca_file(), "--count", "5", "--alpn", "http/1.1", "--capture",
                                     "server=" + agent.string(), "--capture-linger", "0.2", "--out", out.string()});
    EXPECT_EQ(exit_of(result), 4) << result.err;
    EXPECT_NE(result.out.find("Not enough evidence:"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("capture vantage server stopped before the run ended"), std::string::npos)
        << result.out;
    const auto summary = read_summary(out);
    EXPECT_EQ(summary.at("health").as_string(), "insufficient_evidence");
    EXPECT_EQ(summary.at("vantage_problems").as_array().size(), 1U);
    const std::string started(summary.at("started_utc").as_string());
    EXPECT_EQ(started.size(), std::string("2026-12-02T03:30:00.123Z").size()) << started;
    EXPECT_EQ(started.back(), 'Z');
    const auto& plan = summary.at("plan").as_object();
    EXPECT_EQ(plan.at("alpn").as_array().size(), 1U);
    EXPECT_EQ(plan.at("ca_file").as_string(), server.ca_file());
    for (const auto* key : {"sni", "ciphers", "groups", "hold_s", "workers", "verify", "count"}) {
        EXPECT_TRUE(plan.contains(key)) << key;
    }
    EXPECT_EQ(summary.at("captures").as_array().at(0).as_object().at("vantage").as_string(), "server");
}

// Item 17c: a plain-text service on the target port is `not_tls`, not an alert.
TEST(NotTls, APlainTextServerIsNamed)
{
    core::FileDescriptor listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    ASSERT_TRUE(listener);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    ASSERT_EQ(::bind(listener.get(), reinterpret_cast<sockaddr*>(&address), size), 0);
    ASSERT_EQ(::listen(listener.get(), 16), 0);
    ASSERT_EQ(::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&address), &size), 0);
    const auto port = ntohs(address.sin_port);
    std::atomic<bool> stop{false};
    std::thread banner([&] {
        // Answers like an HTTP server spoken to in TLS: a status line, then close.
        for (int served = 0; served < 3 && !stop; ++served) {
            const core::FileDescriptor client(::accept(listener.get(), nullptr, nullptr));
            if (!client) {
                return;
            }
            static constexpr char reply[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
            (void)::write(client.get(), reply, sizeof reply - 1);
            ::usleep(200'000);
        }
    });
    TempDir dir;
    const auto out = dir.path() / "run";
    const auto result =
        run_command({tlsprobe_binary(), "run", "--target", "127.0.0.1:" + std::to_string(port), "--insecure",
                     "--ports", "23200-23202", "--rate", "20", "--out", out.string()});
    stop = true;
    ::shutdown(listener.get(), SHUT_RDWR);
    banner.join();
    EXPECT_EQ(exit_of(result), 1) << result.err;
    const auto records = read_probes(out);
    ASSERT_EQ(records.size(), 3U);
    for (const auto& record : records) {
        EXPECT_EQ(record.outcome, Outcome::not_tls) << record.error;
        EXPECT_FALSE(record.error.empty());
    }
}

// A pcap of one SYN from 10.0.0.1:40000 to 10.0.0.2:443 (Ethernet, IPv4, TCP).
std::string one_syn_pcap()
{
    std::string bytes;
    const auto put32 = [&bytes](std::uint32_t v) {
        for (int i = 0; i < 4; ++i) {
            bytes.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
        }
    };
    const auto put16 = [&bytes](std::uint16_t v) {
        bytes.push_back(static_cast<char>(v & 0xff));
        bytes.push_back(static_cast<char>(v >> 8));
    };
    put32(0xa1b2c3d4);
    put16(2);
    put16(4);
    put32(0);
    put32(0);
    put32(65535);
    put32(1);   // Ethernet
    const std::array<unsigned char, 54> frame{
        // Ethernet: destination, source, IPv4
        0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,
        // IPv4: 20 bytes header, total 40, TTL 64, TCP, 10.0.0.1 -> 10.0.0.2
        0x45, 0, 0, 40, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        // TCP: 40000 -> 443, seq 1000, SYN, window 65535
        0x9c, 0x40, 0x01, 0xbb, 0, 0, 0x03, 0xe8, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0};
    put32(1'700'000'000);
    put32(0);
    put32(static_cast<std::uint32_t>(frame.size()));
    put32(static_cast<std::uint32_t>(frame.size()));
    bytes.append(reinterpret_cast<const char*>(frame.data()), frame.size());
    return bytes;
}

// Items 17e and 17f: `flows -` reads standard input, and --out replaces an existing file.
TEST(Flows, ReadsStandardInputAndReplacesAnExistingOutFile)
{
    TempDir dir;
    const auto pcap = dir.path() / "one.pcap";
    std::ofstream(pcap, std::ios::binary) << one_syn_pcap();
    const auto out = dir.path() / "flows.jsonl";
    std::ofstream(out) << "old line from an earlier run\n";
    // The shell only connects the file to standard input.
    const auto result = run_command({"/bin/sh", "-c", "exec \"$0\" flows - --out \"$1\" < \"$2\"", tlsprobe_binary(),
                                     out.string(), pcap.string()});
    EXPECT_EQ(exit_of(result), 0) << result.err;
    std::ifstream in(out);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str().find("old line"), std::string::npos) << text.str();
    EXPECT_NE(text.str().find("\"client_port\":40000"), std::string::npos) << text.str();
    EXPECT_NE(text.str().find("\"type\":\"capture_summary\""), std::string::npos) << text.str();
}

}  // namespace
}  // namespace tlsprobe::testing
