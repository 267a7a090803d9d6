// The lab end to end: `tlsprobe lab up` with a fault, `tlsprobe run` inside
// the client namespace, and the probes' outcomes checked against the lab's
// own ground truth. Needs root.
#include "lab_fixture.hpp"

namespace tlsprobe::lab {
namespace {

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
