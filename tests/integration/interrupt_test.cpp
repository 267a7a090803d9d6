// An interrupt while probes hang in the handshake: `tlsprobe run` writes every
// one of them, as `interrupted`, with what it had seen so far.
#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "child_process.hpp"
#include "run_records.hpp"

namespace tlsprobe::testing {
namespace {

constexpr std::uint16_t first_probe_port = 31000;
constexpr std::uint16_t probe_ports = 20;

// Established IPv4 sockets on local port `port`, from one of the probe
// ports, with bytes in their receive queue: against `serve --behaviour
// silent`, which never reads, one per ClientHello that arrived. Sockets of
// other processes that happen to share the port number are not counted.
std::size_t unread_client_hellos(std::uint16_t port)
{
    std::ifstream in("/proc/net/tcp");
    std::string line;
    std::getline(in, line);
    std::size_t count = 0;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string slot;
        std::string local;
        std::string remote;
        std::string state;
        std::string queues;
        fields >> slot >> local >> remote >> state >> queues;
        const auto local_port = std::stoul(local.substr(local.find(':') + 1), nullptr, 16);
        const auto remote_port = std::stoul(remote.substr(remote.find(':') + 1), nullptr, 16);
        const auto rx_queue = std::stoul(queues.substr(queues.find(':') + 1), nullptr, 16);
        const bool from_a_probe = remote_port >= first_probe_port && remote_port < first_probe_port + probe_ports;
        if (local_port == port && from_a_probe && state == "01" && rx_queue > 0) {
            ++count;
        }
    }
    return count;
}

TEST(Interrupt, ProbesHungInTheHandshakeAreWrittenAsInterrupted)
{
    ChildProcess serve({tlsprobe_binary(), "-q", "serve", "--listen", "127.0.0.1:0", "--behaviour", "silent",
                        "--handshake-timeout", "30", "--duration", "120"});
    const auto listening = serve.read_line(std::chrono::seconds(10));
    ASSERT_TRUE(listening && listening->starts_with("listening 127.0.0.1:"));
    const auto target = listening->substr(std::string("listening ").size());
    const auto server_port = static_cast<std::uint16_t>(std::stoul(target.substr(target.find(':') + 1)));

    TempDir dir;
    const auto out = dir.path() / "run";
    ChildProcess run({tlsprobe_binary(), "run", "--target", target, "--insecure", "--ports", "31000-31019",
                      "--count", "20", "--rate", "0", "--workers", "2", "--handshake-timeout", "30", "--out",
                      out.string()});
    // No probe can end before the 30 s handshake timeout: wait until the
    // server holds all 20 ClientHellos, then interrupt.
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (unread_client_hellos(server_port) < 20 && std::chrono::steady_clock::now() < give_up) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_EQ(unread_client_hellos(server_port), 20U);
    run.send_signal(SIGINT);
    EXPECT_EQ(run.wait(), 130);

    std::ifstream in(out / "probes.jsonl");
    std::vector<boost::json::object> lines;
    std::string line;
    while (std::getline(in, line)) {
        lines.push_back(boost::json::parse(line).as_object());
    }
    ASSERT_EQ(lines.size(), 20U) << "each probe in flight is written exactly once";
    for (const auto& object : lines) {
        EXPECT_EQ(object.at("outcome").as_string(), "interrupted");
        EXPECT_TRUE(object.contains("t_client_hello"));
        EXPECT_FALSE(object.contains("t_closed"));
    }
    std::set<std::uint64_t> ids;
    for (const auto& record : read_probes(out)) {
        ids.insert(record.probe_id);
        EXPECT_TRUE(record.t.established && record.t.client_hello);
        EXPECT_FALSE(record.t.server_hello || record.t.closed);
        EXPECT_TRUE(record.tcp_at_client_hello.has_value());
        EXPECT_NE(record.error.find("in phase server_hello_wait"), std::string::npos) << record.error;
    }
    EXPECT_EQ(ids.size(), 20U);

    const auto summary = read_summary(out);
    EXPECT_TRUE(summary.at("interrupted").as_bool());
    EXPECT_EQ(summary.at("probes").to_number<std::uint64_t>(), 20U);
    EXPECT_EQ(summary.at("outcomes").at("interrupted").to_number<std::uint64_t>(), 20U);
    EXPECT_EQ(summary.at("health").as_string(), "insufficient_evidence")
        << "interrupted probes say nothing of the path";
    EXPECT_FALSE(summary.contains("abandoned"));
}

}  // namespace
}  // namespace tlsprobe::testing
