// The capture against an independent decoder: real TLS handshakes on
// loopback (nginx; openssl s_client with TLS 1.2 and 1.3, curl, h2load and
// the tlsprobe prober as clients),
// captured by `tlsprobe capture` and by tcpdump; the ClientHello and
// ServerHello counts and every random from tlsprobe equal what tshark finds.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "background_process.hpp"
#include "child_process.hpp"
#include "root_guard.hpp"

namespace tlsprobe::testing {
namespace {

namespace json = boost::json;

struct Randoms {
    std::vector<std::string> client;
    std::vector<std::string> server;
};

std::vector<std::string> split(const std::string& s, char sep)
{
    std::vector<std::string> out;
    std::stringstream in(s);
    for (std::string part; std::getline(in, part, sep);) {
        out.push_back(part);
    }
    return out;
}

// tshark prints one line per frame holding a hello; a frame can carry several
// handshake messages ("2,11,12,14") but only hellos carry a random.
// tshark is told the server port is TLS: otherwise a connection whose ephemeral
// client port is registered to another protocol (44818 EtherNet/IP, ...) goes
// to that dissector and its hellos are missed.
Randoms tshark_randoms(const std::filesystem::path& pcap, const std::string& port)
{
    const auto f = run_command({"tshark", "-r", pcap.string(), "-d", "tcp.port==" + port + ",tls", "-Y", "tls.handshake.type == 1 || tls.handshake.type == 2", "-T",
                        "fields", "-e", "tls.handshake.type", "-e", "tls.handshake.random"});
    EXPECT_EQ(f.exit_code, 0) << f.err;
    Randoms r;
    for (const auto& line : split(f.out, '\n')) {
        const auto cols = split(line, '\t');
        if (cols.size() < 2) {
            continue;
        }
        const auto types = split(cols[0], ',');
        const auto randoms = split(cols[1], ',');
        std::size_t next_random = 0;
        for (const auto& type : types) {
            if ((type == "1" || type == "2") && next_random < randoms.size()) {
                (type == "1" ? r.client : r.server).push_back(randoms[next_random++]);
            }
        }
    }
    std::sort(r.client.begin(), r.client.end());
    std::sort(r.server.begin(), r.server.end());
    return r;
}

struct Timelines {
    Randoms randoms;
    std::vector<json::object> flows;
    json::object summary;
};

Timelines parse_timelines(const std::vector<std::string>& lines)
{
    Timelines t;
    for (const auto& line : lines) {
        json::object o = json::parse(line).as_object();
        if (o.at("type") == "capture_summary") {
            t.summary = o;
            continue;
        }
        if (o.at("type") != "flow") {
            continue;  // capture_ready
        }
        if (o.at("client_hello").is_object()) {
            t.randoms.client.emplace_back(o.at("client_hello").at("client_random").as_string());
        }
        if (o.at("server_hello").is_object()) {
            t.randoms.server.emplace_back(o.at("server_hello").at("server_random").as_string());
        }
        t.flows.push_back(std::move(o));
    }
    std::sort(t.randoms.client.begin(), t.randoms.client.end());
    std::sort(t.randoms.server.begin(), t.randoms.server.end());
    return t;
}

Timelines flows_of(const std::filesystem::path& pcap)
{
    const auto f = run_command({TLSPROBE_BINARY, "flows", pcap.string()});
    EXPECT_EQ(f.exit_code, 0) << f.err;
    return parse_timelines(split(f.out, '\n'));
}

class LoopbackNginx {
public:
    explicit LoopbackNginx(const std::filesystem::path& dir) : dir_(dir)
    {
        const auto f = run_command({LOOPBACK_NGINX, "start", dir.string()});
        if (f.exit_code != 0) {
            throw std::runtime_error("nginx did not start: " + f.err);
        }
        port_ = f.out.substr(0, f.out.find('\n'));
    }
    LoopbackNginx(const LoopbackNginx&) = delete;
    LoopbackNginx& operator=(const LoopbackNginx&) = delete;
    ~LoopbackNginx() { (void)run_command({LOOPBACK_NGINX, "stop", dir_.string()}); }
    [[nodiscard]] const std::string& port() const { return port_; }

private:
    std::filesystem::path dir_;
    std::string port_;
};

TEST(CaptureOracle, HelloCountsAndRandomsMatchTshark)
{
    TLSPROBE_REQUIRE_ROOT();
    TempDir temp;
    const std::filesystem::path dir = temp.path();
    LoopbackNginx nginx(dir / "nginx");
    const std::string& port = nginx.port();

    BackgroundProcess agent({TLSPROBE_BINARY, "capture", "--iface", "lo", "--port", port, "--vantage", "client", "--pcap",
                      (dir / "agent.pcap").string(), "--out", (dir / "live.jsonl").string()});
    ASSERT_TRUE(agent.wait_for_stderr("capturing on lo")) << agent.stderr_text();
    BackgroundProcess tcpdump({"tcpdump", "-i", "lo", "-n", "--immediate-mode", "-U", "-Z", "root", "-w", (dir / "tcpdump.pcap").string(), "tcp port " + port});
    ASSERT_TRUE(tcpdump.wait_for_stderr("listening on lo")) << tcpdump.stderr_text();

    const std::string target = "127.0.0.1:" + port;
    int handshakes = 0;
    for (int i = 0; i < 12; ++i) {
        const auto f = run_command({"openssl", "s_client", "-connect", target, "-servername", "oracle.example",
                            i % 2 == 0 ? "-tls1_2" : "-tls1_3"});
        EXPECT_EQ(f.exit_code, 0) << f.err;
        ++handshakes;
    }
    const auto curl = run_command({"curl", "-sk", "--max-time", "10", "https://" + target + "/"});
    EXPECT_EQ(curl.out, "ok\n");
    const auto h2load = run_command({"h2load", "-n", "40", "-c", "8", "-t", "1", "https://" + target + "/"});
    EXPECT_EQ(h2load.exit_code, 0) << h2load.err;
    handshakes += 1 + 8;
    // The prober: 30 source ports, ClientHellos padded to 2000 bytes.
    const auto probes = run_command({TLSPROBE_BINARY, "run", "--target", target, "--ports", "47100-47129", "--count", "30",
                                     "--concurrency", "10", "--rate", "0", "--insecure", "--pad-client-hello", "2000",
                                     "--out", (dir / "run").string()});
    EXPECT_EQ(probes.exit_code, 0) << probes.err;
    for (const auto& line : read_lines(dir / "run" / "probes.jsonl")) {
        if (json::parse(line).at("outcome") == "ok") {
            ++handshakes;
        }
    }

    EXPECT_EQ(tcpdump.terminate_and_wait(), 0) << tcpdump.stderr_text();
    ASSERT_EQ(agent.close_stdin_and_wait(), 0) << agent.stderr_text();

    const Randoms oracle = tshark_randoms(dir / "agent.pcap", port);
    // At least every handshake the clients completed (a prober port that could
    // not be bound is a local_error with no packets).
    EXPECT_GE(oracle.client.size(), static_cast<std::size_t>(handshakes));
    EXPECT_GE(oracle.server.size(), static_cast<std::size_t>(handshakes));

    // Offline from the agent's pcap.
    const Timelines offline = flows_of(dir / "agent.pcap");
    EXPECT_EQ(offline.randoms.client, oracle.client);
    EXPECT_EQ(offline.randoms.server, oracle.server);

    // Live, as the flows ended, with the agent's kernel counters.
    const Timelines live = parse_timelines(read_lines(dir / "live.jsonl"));
    EXPECT_EQ(live.randoms.client, oracle.client);
    EXPECT_EQ(live.randoms.server, oracle.server);
    ASSERT_TRUE(live.summary.at("kernel").is_object());
    EXPECT_EQ(live.summary.at("kernel").at("dropped").as_int64(), 0);
    EXPECT_EQ(live.summary.at("stop_reason"), "stdin_closed");
    EXPECT_EQ(live.summary.at("privileges").as_string().starts_with("dropped to nobody"), true);
    for (const auto& flow : live.flows) {
        EXPECT_EQ(flow.at("vantage"), "client");
        EXPECT_FALSE(flow.at("direction_inferred").as_bool());
        EXPECT_TRUE(flow.at("syn").is_object());
        EXPECT_TRUE(flow.at("client_hello").at("acked").is_object());
        EXPECT_EQ(flow.at("server_port").as_int64(), std::stoi(port));
    }

    // A file tcpdump took, read by a tool that never saw it being written.
    const Randoms tcpdump_oracle = tshark_randoms(dir / "tcpdump.pcap", port);
    const Timelines from_tcpdump = flows_of(dir / "tcpdump.pcap");
    EXPECT_EQ(from_tcpdump.randoms.client, tcpdump_oracle.client);
    EXPECT_EQ(from_tcpdump.randoms.server, tcpdump_oracle.server);
    EXPECT_FALSE(tcpdump_oracle.client.empty());
}

}  // namespace
}  // namespace tlsprobe::testing
