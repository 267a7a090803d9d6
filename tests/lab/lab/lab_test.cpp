// The lab end to end: `tlsprobe lab up` with a fault, `tlsprobe run` inside
// the client namespace, and the probes' outcomes checked against the lab's
// own ground truth (`lab status --json --tuples probes.jsonl`). Needs root.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "lab/process.hpp"

namespace tlsprobe::lab {
namespace {

namespace fs = std::filesystem;
using Args = std::vector<std::string>;

constexpr const char* tlsprobe = TLSPROBE_EXE;
// Short enough to keep the suite quick, long enough for a 1 s SYN
// retransmission under background loss to still count as slowed, not lost.
constexpr const char* handshake_timeout = "2";

bool under_ci()
{
    const char* ci = std::getenv("CI");
    return ci != nullptr && std::string(ci) == "true";
}

ProcessResult tool(Args args)
{
    args.insert(args.begin(), tlsprobe);
    return run_process(args);
}

// What a lab leaves on the machine: its namespaces, and anything of its
// in the root namespace (it creates nothing there; this proves it).
std::vector<std::string> lab_leftovers()
{
    std::vector<std::string> found;
    const auto netns = run_process(Args{"ip", "netns", "list"});
    std::istringstream lines(netns.out);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.starts_with("tlsp-")) {
            found.push_back("namespace " + line);
        }
    }
    const auto veths = run_process(Args{"ip", "-o", "link", "show", "type", "veth"});
    for (const auto* name : {" up0@", " down0@", " lan0@", " sw0@"}) {
        if (veths.out.find(name) != std::string::npos) {
            found.push_back(fmt::format("veth{}in the root namespace", name));
        }
    }
    const auto tables = run_process(Args{"nft", "list", "tables"});
    if (tables.out.find("tlsp_") != std::string::npos) {
        found.push_back("nft table tlsp_* in the root namespace");
    }
    if (fs::exists("/run/tlsprobe-lab")) {
        found.push_back("state directory /run/tlsprobe-lab");
    }
    return found;
}

// Brings the lab up for one test and always takes it down again, whether
// the test passes, fails or throws.
class LabGuard {
public:
    explicit LabGuard(Args up_args)
    {
        up_args.insert(up_args.begin(), {"lab", "up"});
        const auto up = tool(up_args);
        up_ok_ = up.status == 0;
        EXPECT_TRUE(up_ok_) << "lab up failed: " << up.err;
    }
    LabGuard(const LabGuard&) = delete;
    LabGuard& operator=(const LabGuard&) = delete;
    ~LabGuard()
    {
        const auto down = tool({"lab", "down"});
        EXPECT_EQ(down.status, 0) << down.err;
    }
    [[nodiscard]] bool up() const { return up_ok_; }

private:
    bool up_ok_ = false;
};

class LabTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        if (::geteuid() != 0) {
            if (under_ci()) {
                FAIL() << "lab tests need root; under CI=true they never skip";
            }
            GTEST_SKIP() << "lab tests need root (network namespaces, nftables)";
        }
        ASSERT_TRUE(lab_leftovers().empty()) << "a lab is already up; run `tlsprobe lab down`";
        run_dir_ = fs::temp_directory_path() / fmt::format("tlsprobe-lab-test-{}", ::getpid());
        fs::remove_all(run_dir_);
    }

    void TearDown() override
    {
        if (::geteuid() != 0) {
            return;
        }
        const auto left = lab_leftovers();
        EXPECT_TRUE(left.empty()) << "left behind: " << fmt::format("{}", fmt::join(left, ", "));
        fs::remove_all(run_dir_);
    }

    struct Probe {
        boost::json::object record;
        boost::json::object truth;
    };

    // Runs the prober in the client namespace and joins every probe with
    // the lab's ground truth for its tuple.
    std::vector<Probe> probe(int first_port, int count, Args extra = {})
    {
        Args run{"ip", "netns", "exec", "tlsp-client", tlsprobe, "run", "--target", "198.18.100.10:443",
                 "--source-ip", "198.18.1.2", "--ports", fmt::format("{}-{}", first_port, first_port + count - 1),
                 "--count", std::to_string(count), "--concurrency", "200", "--rate", "200", "--handshake-timeout", handshake_timeout,
                 "--insecure", "--out", run_dir_.string()};
        run.insert(run.end(), extra.begin(), extra.end());
        const auto result = run_process(run);
        EXPECT_TRUE(result.status == 0 || result.status == 1) << result.err;
        const auto probes_file = run_dir_ / "probes.jsonl";
        const auto status = tool({"lab", "status", "--json", "--tuples", probes_file.string()});
        EXPECT_EQ(status.status, 0) << status.err;
        status_ = boost::json::parse(status.out).as_object();
        const auto& truth = status_.at("ground_truth").as_object();
        const auto& check = truth.at("check").as_object();
        // The hash model and the switch's own per-bucket flow sets agree on every tuple the switch saw.
        EXPECT_EQ(check.at("disagree").as_int64(), 0);
        EXPECT_EQ(check.at("agree"), check.at("seen_by_switch"));

        std::map<std::int64_t, boost::json::object> by_id;
        for (const auto& entry : truth.at("tuples").as_array()) {
            by_id[entry.at("probe_id").as_int64()] = entry.as_object();
        }
        std::vector<Probe> out;
        std::ifstream in(probes_file);
        std::string line;
        while (std::getline(in, line)) {
            auto record = boost::json::parse(line).as_object();
            const auto id = record.at("probe_id").as_int64();
            out.push_back({std::move(record), by_id[id]});
        }
        EXPECT_EQ(out.size(), static_cast<std::size_t>(count));
        return out;
    }

    [[nodiscard]] const boost::json::object& status() const { return status_; }

    fs::path run_dir_;
    boost::json::object status_;
};

std::string outcome(const boost::json::object& record)
{
    return std::string(record.at("outcome").as_string());
}

std::string fate(const boost::json::object& truth)
{
    return truth.contains("fate") ? std::string(truth.at("fate").as_string()) : "missing";
}

std::string describe(const boost::json::object& record, const boost::json::object& truth)
{
    return fmt::format("port {} bucket {} fate {} outcome {}", boost::json::serialize(record.at("src_port")),
                       truth.contains("bucket") ? boost::json::serialize(truth.at("bucket")) : "?", fate(truth),
                       outcome(record));
}

TEST_F(LabTest, HealthyLabAllThousandProbesOk)
{
    const LabGuard lab({});
    ASSERT_TRUE(lab.up());
    const auto probes = probe(20000, 1000);
    std::size_t ok = 0;
    for (const auto& [record, truth] : probes) {
        EXPECT_EQ(fate(truth), "healthy");
        ok += outcome(record) == "ok" ? 1U : 0U;
    }
    EXPECT_EQ(ok, 1000U);
    // Every node carried flows and dropped nothing.
    for (const auto& node : status().at("nodes").as_array()) {
        EXPECT_GT(node.at("syn").as_int64(), 0);
        EXPECT_EQ(node.at("dropped").as_int64(), 0);
    }
}

TEST_F(LabTest, FaultyBucketFiveOfEightFailsExactlyItsTuples)
{
    const LabGuard lab({"--buckets", "8", "--faulty", "5", "--seed", "0x5eed"});
    ASSERT_TRUE(lab.up());
    const auto probes = probe(21000, 400);
    std::size_t faulty = 0;
    for (const auto& [record, truth] : probes) {
        const bool in_bucket_5 = truth.at("bucket").as_int64() == 5;
        EXPECT_EQ(fate(truth), in_bucket_5 ? "faulty" : "healthy");
        EXPECT_EQ(outcome(record), in_bucket_5 ? "handshake_timeout" : "ok") << describe(record, truth);
        faulty += in_bucket_5 ? 1U : 0U;
    }
    EXPECT_GT(faulty, 10U) << "too few probes in bucket 5 to show anything";
}

TEST_F(LabTest, HashMapFileDecidesTheBucket)
{
    // Ports 22000..22099: every fourth one in bucket 3 (faulty), the rest spread over 0..2.
    const auto map_file = fs::temp_directory_path() / fmt::format("tlsprobe-lab-map-{}.txt", ::getpid());
    {
        std::ofstream out(map_file);
        out << "# source_port bucket\n";
        for (int port = 22000; port < 22100; ++port) {
            out << port << ' ' << (port % 4 == 0 ? 3 : port % 3) << '\n';
        }
    }
    const LabGuard lab({"--buckets", "4", "--hash-map", map_file.string(), "--faulty", "3"});
    ASSERT_TRUE(lab.up());
    for (const auto& [record, truth] : probe(22000, 100)) {
        const auto port = record.at("src_port").as_int64();
        EXPECT_EQ(truth.at("bucket").as_int64(), port % 4 == 0 ? 3 : port % 3);
        EXPECT_EQ(outcome(record), port % 4 == 0 ? "handshake_timeout" : "ok") << describe(record, truth);
    }
    fs::remove(map_file);
}

TEST_F(LabTest, BackgroundLossIsNotTiedToBuckets)
{
    const LabGuard lab({"--loss", "2"});
    ASSERT_TRUE(lab.up());
    const auto probes = probe(23000, 600);
    std::map<std::int64_t, std::size_t> affected_by_bucket;
    std::map<std::int64_t, std::size_t> ok_by_bucket;
    std::size_t affected = 0;
    for (const auto& [record, truth] : probes) {
        EXPECT_EQ(fate(truth), "healthy");
        const auto bucket = truth.at("bucket").as_int64();
        const bool retransmitted = record.contains("tcp_at_end") &&
                                   record.at("tcp_at_end").as_object().at("retransmits").as_int64() > 0;
        if (outcome(record) != "ok" || retransmitted) {
            ++affected;
            ++affected_by_bucket[bucket];
        } else {
            ++ok_by_bucket[bucket];
        }
    }
    EXPECT_GT(status().at("switch").at("lost").as_int64(), 0);
    EXPECT_GT(affected, 0U) << "2% loss left no trace on 600 probes";
    EXPECT_LT(affected, probes.size() / 2);
    // Random loss hits flows of many buckets and spares most flows of every bucket.
    EXPECT_GE(affected_by_bucket.size(), 3U);
    for (std::int64_t bucket = 0; bucket < 8; ++bucket) {
        EXPECT_GT(ok_by_bucket[bucket], affected_by_bucket[bucket]) << "bucket " << bucket;
    }
}

TEST_F(LabTest, ResetBucketsEndInMidstreamReset)
{
    const LabGuard lab({"--reset-buckets", "2,6"});
    ASSERT_TRUE(lab.up());
    std::size_t reset = 0;
    for (const auto& [record, truth] : probe(24000, 300)) {
        const auto bucket = truth.at("bucket").as_int64();
        const bool in_reset_bucket = bucket == 2 || bucket == 6;
        EXPECT_EQ(fate(truth), in_reset_bucket ? "reset" : "healthy");
        EXPECT_EQ(outcome(record), in_reset_bucket ? "midstream_reset" : "ok") << describe(record, truth);
        reset += in_reset_bucket ? 1U : 0U;
    }
    EXPECT_GT(reset, 10U);
    EXPECT_GE(status().at("switch").at("injected_resets").as_int64(), static_cast<std::int64_t>(reset));
}

TEST_F(LabTest, ProxyHidesTheLossBehindItsOwnAck)
{
    const LabGuard lab({"--proxy", "--faulty", "5"});
    ASSERT_TRUE(lab.up());
    std::size_t faulty = 0;
    for (const auto& [record, truth] : probe(25000, 300)) {
        // The bucket is the proxy's own tuple's, not the client's.
        ASSERT_TRUE(truth.at("hashed").is_object()) << describe(record, truth);
        EXPECT_EQ(truth.at("hashed").at("src_ip").as_string(), "198.18.4.2");
        if (fate(truth) == "faulty") {
            ++faulty;
            const auto what = outcome(record);
            EXPECT_TRUE(what == "handshake_timeout" || what == "handshake_eof") << describe(record, truth);
            // The proxy ACKed the ClientHello the server never got.
            EXPECT_TRUE(record.at("client_hello_acked").as_bool()) << describe(record, truth);
        } else {
            EXPECT_EQ(fate(truth), "healthy");
            EXPECT_EQ(outcome(record), "ok") << describe(record, truth);
        }
    }
    EXPECT_GT(faulty, 10U);
}

TEST_F(LabTest, SloppyNodesCarrySplitFlows)
{
    const LabGuard lab({"--faulty", "5", "--lb-sloppy"});
    ASSERT_TRUE(lab.up());
    std::size_t split = 0;
    for (const auto& [record, truth] : probe(27000, 200)) {
        EXPECT_EQ(outcome(record), "ok") << describe(record, truth);
        split += fate(truth) == "faulty" ? 1U : 0U;
    }
    EXPECT_GT(split, 5U);
    // Bucket 5 goes to node 1 for its SYN and node 0 for the rest: node 0
    // forwarded packets of flows whose SYN it never saw, and dropped none.
    const auto& node0 = status().at("nodes").at(0);
    EXPECT_EQ(node0.at("dropped").as_int64(), 0);
    EXPECT_GT(node0.at("forwarded").as_int64(), node0.at("syn").as_int64());
}

TEST_F(LabTest, SilentServerTimesOutEveryHandshake)
{
    const LabGuard lab({"--server-behaviour", "silent"});
    ASSERT_TRUE(lab.up());
    for (const auto& [record, truth] : probe(28000, 20)) {
        EXPECT_EQ(outcome(record), "handshake_timeout") << describe(record, truth);
        // The server's own kernel ACKed the ClientHello.
        EXPECT_TRUE(record.at("client_hello_acked").as_bool());
    }
}

TEST_F(LabTest, UpWhenUpIsRefusedAndLeavesTheLabAlone)
{
    const LabGuard lab({});
    ASSERT_TRUE(lab.up());
    const auto before = lab_leftovers();
    const auto again = tool({"lab", "up", "--proxy"});
    EXPECT_EQ(again.status, 2);
    EXPECT_NE(again.err.find("already up"), std::string::npos) << again.err;
    EXPECT_EQ(lab_leftovers(), before);
    EXPECT_EQ(probe(26000, 20).size(), 20U);
}

TEST_F(LabTest, FailedUpRemovesEverythingItBuilt)
{
    // The server's pid file cannot be written (a directory is in its way):
    // `up` fails after building every namespace and starting the server.
    fs::create_directories("/run/tlsprobe-lab/serve.pid");
    const auto up = tool({"lab", "up", "--proxy"});
    EXPECT_EQ(up.status, 3) << up.err;
    EXPECT_NE(up.err.find("cannot write /run/tlsprobe-lab/serve.pid"), std::string::npos) << up.err;
    EXPECT_TRUE(lab_leftovers().empty());
    // Nor is the server it had started still running somewhere.
    EXPECT_EQ(run_process(Args{"pgrep", "-f", "serve --listen 198.18.100.10:443"}).status, 1);
    fs::remove_all("/run/tlsprobe-lab");
}

// Bad input is refused before anything is built; these need no root.
struct BadInput {
    Args args;
    std::string message;
};

void PrintTo(const BadInput& input, std::ostream* out)
{
    *out << fmt::format("lab up {}", fmt::join(input.args, " "));
}

class LabBadInputTest : public ::testing::TestWithParam<BadInput> {};

TEST_P(LabBadInputTest, ExitsTwoWithAClearMessageAndBuildsNothing)
{
    const auto& param = GetParam();
    Args args{"lab", "up"};
    args.insert(args.end(), param.args.begin(), param.args.end());
    const auto result = tool(args);
    EXPECT_EQ(result.status, 2) << result.err;
    EXPECT_NE(result.err.find(param.message), std::string::npos) << result.err;
    EXPECT_TRUE(lab_leftovers().empty());
}

INSTANTIATE_TEST_SUITE_P(
    Flags, LabBadInputTest,
    ::testing::Values(BadInput{{"--no-such-flag"}, "--no-such-flag"},
                      BadInput{{"--faulty", "8"}, "--faulty: bucket 8 is outside 0..7"},
                      BadInput{{"--buckets", "4", "--faulty", "1", "--reset-buckets", "1"}, "bucket 1 is in both"},
                      BadInput{{"--nodes", "1", "--faulty", "0"}, "--faulty needs --nodes 2"},
                      BadInput{{"--split-prob", "0.5"}, "--split-prob requires --faulty"},
                      BadInput{{"--loss", "100"}, "--loss 100 is outside"},
                      BadInput{{"--seed", "1", "--hash-map", "/dev/null"}, "excludes"},
                      BadInput{{"--hash-map", "/nonexistent/map"}, "--hash-map /nonexistent/map: cannot open"}));

TEST(LabBadMapFile, NamesTheFileAndLine)
{
    const auto map_file = fs::temp_directory_path() / fmt::format("tlsprobe-lab-badmap-{}.txt", ::getpid());
    {
        std::ofstream out(map_file);
        out << "20000 1\n# comment\n20001 x\n";
    }
    const auto result = tool({"lab", "up", "--hash-map", map_file.string()});
    EXPECT_EQ(result.status, 2);
    EXPECT_NE(result.err.find(fmt::format("{}:3: \"x\" is not a bucket number", map_file.string())), std::string::npos)
        << result.err;
    EXPECT_TRUE(lab_leftovers().empty());
    fs::remove(map_file);
}

}  // namespace
}  // namespace tlsprobe::lab
