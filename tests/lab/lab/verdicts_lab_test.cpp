// Paired captures in the lab: the verdicts tlsprobe reaches by itself,
// checked against the lab's ground truth. Needs root.
#include <chrono>
#include <memory>
#include <thread>

#include "background_process.hpp"
#include "lab_fixture.hpp"

namespace tlsprobe::lab {
namespace {

using testing::BackgroundProcess;

const Args paired_captures{
    "--capture", "client=up0", "--capture",
    fmt::format("server=ip netns exec tlsp-server {} capture --iface br0 --vantage server --port 443 --out -",
                tlsprobe)};

class VerdictLabTest : public LabTest {
protected:
    // probe_id -> its line of verdicts.jsonl
    [[nodiscard]] std::map<std::int64_t, boost::json::object> verdicts(const fs::path& dir) const
    {
        std::map<std::int64_t, boost::json::object> by_id;
        std::ifstream in(dir / "verdicts.jsonl");
        std::string line;
        while (std::getline(in, line)) {
            auto record = boost::json::parse(line).as_object();
            by_id[record.at("probe_id").as_int64()] = std::move(record);
        }
        return by_id;
    }

    [[nodiscard]] boost::json::object analysis() const
    {
        std::ifstream in(run_dir_ / "analysis.json");
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        return boost::json::parse(text).as_object();
    }
};

std::string text(const boost::json::object& object, std::string_view key)
{
    return object.contains(key) ? std::string(object.at(key).as_string()) : "";
}

bool has_flag(const boost::json::object& verdict, std::string_view flag)
{
    for (const auto& value : verdict.at("flags").as_array()) {
        if (value.as_string() == flag) {
            return true;
        }
    }
    return false;
}

std::set<std::int64_t> tshark_client_ports(const fs::path& pcap, const std::string& filter)
{
    const auto result = run_process(Args{"tshark", "-r", pcap.string(), "-Y", filter + " && tcp.dstport == 443",
                                         "-T", "fields", "-e", "tcp.srcport"});
    EXPECT_EQ(result.status, 0) << result.err;
    std::set<std::int64_t> ports;
    std::istringstream lines(result.out);
    std::string line;
    while (std::getline(lines, line)) {
        if (!line.empty()) {
            ports.insert(std::stoll(line));
        }
    }
    return ports;
}

TEST_F(VerdictLabTest, FaultyBucketsAreClientHelloLostUnackedExactlyAsTheGroundTruthSays)
{
    const LabGuard lab({"--buckets", "8", "--faulty", "5", "--seed", "0x5eed"});
    ASSERT_TRUE(lab.up());
    const auto probes = probe(24000, 300, paired_captures);
    const auto by_id = verdicts(run_dir_);
    ASSERT_EQ(by_id.size(), 300U);
    std::set<std::int64_t> faulty_ports;
    for (const auto& [record, truth] : probes) {
        const auto& verdict = by_id.at(record.at("probe_id").as_int64());
        if (fate(truth) == "faulty") {
            faulty_ports.insert(record.at("src_port").as_int64());
            EXPECT_EQ(text(verdict, "verdict"), "client_hello_lost") << describe(record, truth);
            EXPECT_EQ(text(verdict, "sub"), "unacked") << describe(record, truth);
        } else {
            EXPECT_EQ(text(verdict, "verdict"), "ok") << describe(record, truth);
        }
        EXPECT_FALSE(has_flag(verdict, "middlebox")) << describe(record, truth);
    }
    ASSERT_GT(faulty_ports.size(), 10U);
    // The report's Wireshark filter selects exactly those flows in the client capture.
    const auto filter = analysis().at("wireshark_filters").at("client_hello_lost").as_string();
    EXPECT_EQ(tshark_client_ports(run_dir_ / "client.pcap", std::string(filter)), faulty_ports);
}

TEST_F(VerdictLabTest, ProxyAckedClientHellosAreLostBehindAMiddleboxTwoHopsAway)
{
    const LabGuard lab({"--proxy", "--buckets", "8", "--faulty", "5", "--seed", "0x5eed"});
    ASSERT_TRUE(lab.up());
    const auto probes = probe(25000, 300, paired_captures);
    const auto by_id = verdicts(run_dir_);
    std::size_t lost = 0;
    for (const auto& [record, truth] : probes) {
        const auto& verdict = by_id.at(record.at("probe_id").as_int64());
        EXPECT_TRUE(has_flag(verdict, "middlebox")) << describe(record, truth);
        if (fate(truth) == "faulty") {
            ++lost;
            EXPECT_EQ(text(verdict, "verdict"), "client_hello_lost") << describe(record, truth);
            EXPECT_EQ(text(verdict, "sub"), "middlebox_acked") << describe(record, truth);
            EXPECT_EQ(verdict.at("client_hello_ack_hops").as_int64(), 2);
            EXPECT_EQ(verdict.at("client_hello_ack_ttl").as_int64(), 253);
            EXPECT_EQ(verdict.at("server_sent_ttl").as_int64(), 64);
            EXPECT_EQ(text(verdict, "joined_by"), "middlebox_time") << "the match is by time, and says so";
        } else {
            EXPECT_EQ(text(verdict, "verdict"), "ok") << describe(record, truth);
        }
    }
    ASSERT_GT(lost, 10U);
    const auto findings = analysis().at("findings").as_array();
    EXPECT_EQ(findings.at(0).as_string(),
              fmt::format("{} of 300 ClientHellos never reached the server; each was ACKed by a device 2 hops from "
                          "the client (TTL 253; the server sends with 64).",
                          lost));
}

TEST_F(VerdictLabTest, SilentServerIsServerSilence)
{
    const LabGuard lab({"--server-behaviour", "silent"});
    ASSERT_TRUE(lab.up());
    probe(26000, 50, paired_captures);
    for (const auto& [id, verdict] : verdicts(run_dir_)) {
        EXPECT_EQ(text(verdict, "verdict"), "server_silence") << id;
    }
}

TEST_F(VerdictLabTest, ResetsFromTheSwitchAreInjected)
{
    const LabGuard lab({"--buckets", "8", "--reset-buckets", "2", "--seed", "0x5eed"});
    ASSERT_TRUE(lab.up());
    const auto probes = probe(27000, 200, paired_captures);
    const auto by_id = verdicts(run_dir_);
    std::size_t reset = 0;
    for (const auto& [record, truth] : probes) {
        const auto& verdict = by_id.at(record.at("probe_id").as_int64());
        if (fate(truth) == "reset") {
            ++reset;
            EXPECT_EQ(text(verdict, "verdict"), "midstream_reset") << describe(record, truth);
            EXPECT_EQ(text(verdict, "reset_by"), "injected") << describe(record, truth);
        } else {
            EXPECT_EQ(text(verdict, "verdict"), "ok") << describe(record, truth);
        }
    }
    EXPECT_GT(reset, 5U);
}

TEST_F(VerdictLabTest, SloppyBalancersShowSplitFlowsWithTwoMacsAtTheServer)
{
    const LabGuard lab({"--lb-sloppy", "--buckets", "8", "--faulty", "5", "--seed", "0x5eed"});
    ASSERT_TRUE(lab.up());
    const auto probes = probe(28000, 200, paired_captures);
    const auto by_id = verdicts(run_dir_);
    std::size_t split = 0;
    for (const auto& [record, truth] : probes) {
        const auto& verdict = by_id.at(record.at("probe_id").as_int64());
        const bool faulty = fate(truth) == "faulty";
        EXPECT_EQ(has_flag(verdict, "path_split"), faulty) << describe(record, truth);
        if (faulty) {
            ++split;
            EXPECT_EQ(verdict.at("server_side_client_macs").as_array().size(), 2U) << describe(record, truth);
        }
    }
    EXPECT_GT(split, 5U);
}

TEST_F(VerdictLabTest, BehindTheProxyBucketsUseTheTupleTheSwitchHashed)
{
    const LabGuard lab({"--proxy", "--buckets", "8", "--faulty", "5", "--seed", "0x5eed"});
    ASSERT_TRUE(lab.up());
    probe(30000, 300, paired_captures);
    const auto result = tool({"buckets", run_dir_.string(), "--model", "jhash:seed=0x5eed,mod=8"});
    EXPECT_EQ(result.status, 1) << result.out << result.err;
    EXPECT_NE(result.err.find("300 of 300 probes reached the server under another tuple"), std::string::npos)
        << result.err;
    std::ifstream in(run_dir_ / "buckets.json");
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto report = boost::json::parse(text).as_object();
    ASSERT_EQ(report.at("faulty_buckets").as_array().size(), 1U) << result.out;
    EXPECT_EQ(report.at("faulty_buckets").as_array().at(0).as_int64(), 5) << result.out;
}

// A capture that tlsprobe did not take: tcpdump on both ends, then `analyze`.
std::unique_ptr<BackgroundProcess> start_tcpdump(const std::string& netns, const std::string& interface,
                                                 const fs::path& file)
{
    auto tcpdump = std::make_unique<BackgroundProcess>(
        Args{"ip", "netns", "exec", netns, "tcpdump", "-i", interface, "-U", "-n", "-w", file.string(), "tcp port 443"});
    EXPECT_TRUE(tcpdump->wait_for_stderr("listening on")) << tcpdump->stderr_text();
    return tcpdump;
}

TEST_F(VerdictLabTest, AnalyzeOnPlainTcpdumpPcapsReachesTheSameVerdicts)
{
    const LabGuard lab({"--proxy", "--buckets", "8", "--faulty", "5", "--seed", "0x5eed"});
    ASSERT_TRUE(lab.up());
    const auto pcaps = fs::temp_directory_path() / fmt::format("tlsprobe-tcpdump-{}", ::getpid());
    fs::create_directories(pcaps);
    const auto client = start_tcpdump("tlsp-client", "up0", pcaps / "client.pcap");
    const auto server = start_tcpdump("tlsp-server", "br0", pcaps / "server.pcap");
    const auto probes = probe(29000, 200);
    // The captures' linger: late FINs and resets still reach the files.
    std::this_thread::sleep_for(std::chrono::seconds(1));
    client->terminate_and_wait();
    server->terminate_and_wait();
    const auto out = pcaps / "analysis";
    const auto result = tool({"analyze", "--client-pcap", (pcaps / "client.pcap").string(), "--server-pcap",
                              (pcaps / "server.pcap").string(), "--probes", (run_dir_ / "probes.jsonl").string(),
                              "--out", out.string()});
    EXPECT_EQ(result.status, 1) << result.err;
    const auto by_id = verdicts(out);
    for (const auto& [record, truth] : probes) {
        const auto& verdict = by_id.at(record.at("probe_id").as_int64());
        EXPECT_EQ(text(verdict, "verdict"), fate(truth) == "faulty" ? "client_hello_lost" : "ok")
            << describe(record, truth);
        if (fate(truth) == "faulty") {
            EXPECT_EQ(text(verdict, "sub"), "middlebox_acked");
        }
    }
    fs::remove_all(pcaps);
}

}  // namespace
}  // namespace tlsprobe::lab
