// `tlsprobe hunt` against the lab: the faulty buckets named under a known
// jhash, random loss told from a per-flow fault, flipping tuples reported,
// and a CRC16 hash map found without a model. Needs root.
#include "lab_fixture.hpp"

#include <bit>

#include "results/hash_model.hpp"

namespace tlsprobe::lab {
namespace {

class HuntLabTest : public LabTest {
protected:
    struct Hunt {
        int status = -1;
        std::string out;
        boost::json::object report;  // buckets.json
    };

    Hunt hunt(Args extra)
    {
        Args args{"ip", "netns", "exec", "tlsp-client", tlsprobe, "hunt", "--target", "198.18.100.10:443",
                  "--source-ip", "198.18.1.2", "--rate", "200", "--concurrency", "200", "--insecure",
                  "--repeat-gap", "1", "--out", run_dir_.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        const auto result = run_process(args);
        Hunt out{.status = result.status, .out = result.out, .report = {}};
        std::ifstream in(run_dir_ / "buckets.json");
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        EXPECT_FALSE(text.empty()) << result.err;
        if (!text.empty()) {
            out.report = boost::json::parse(text).as_object();
        }
        return out;
    }

    static std::vector<std::int64_t> faulty(const boost::json::object& report)
    {
        std::vector<std::int64_t> buckets;
        for (const auto& bucket : report.at("faulty_buckets").as_array()) {
            buckets.push_back(bucket.as_int64());
        }
        return buckets;
    }

    static std::string determinism(const boost::json::object& report)
    {
        return std::string(report.at("determinism").as_object().at("verdict").as_string());
    }
};

TEST_F(HuntLabTest, JhashWithSeedNamesBucketFiveOfEight)
{
    const LabGuard lab({"--buckets", "8", "--faulty", "5", "--seed", "0x5eed"});
    ASSERT_TRUE(lab.up());
    const auto result = hunt({"--budget", "400", "--handshake-timeout", handshake_timeout, "--model",
                              "jhash:seed=0x5eed,mod=8"});
    EXPECT_EQ(result.status, 1) << result.out;
    EXPECT_EQ(faulty(result.report), (std::vector<std::int64_t>{5})) << result.out;
    EXPECT_EQ(determinism(result.report), "per_flow") << result.out;
    EXPECT_NE(result.out.find("bucket 5 failed"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("buckets 0-4, 6, 7 are clean"), std::string::npos) << result.out;
    EXPECT_LE(result.report.at("attempts").as_int64(), 400);
}

TEST_F(HuntLabTest, JhashWithSeedNamesBucketsThreeAndElevenOfSixteen)
{
    const LabGuard lab({"--buckets", "16", "--faulty", "3,11", "--seed", "0xdeadbeef"});
    ASSERT_TRUE(lab.up());
    const auto result = hunt({"--budget", "400", "--handshake-timeout", handshake_timeout, "--model",
                              "jhash:seed=0xdeadbeef,mod=16"});
    EXPECT_EQ(result.status, 1) << result.out;
    EXPECT_EQ(faulty(result.report), (std::vector<std::int64_t>{3, 11})) << result.out;
    EXPECT_EQ(determinism(result.report), "per_flow") << result.out;
    EXPECT_NE(result.out.find("buckets 0-2, 4-10, 12-15 are clean"), std::string::npos) << result.out;
}

TEST_F(HuntLabTest, BackgroundLossIsRandomLossAndNoBucketIsFlagged)
{
    const LabGuard lab({"--loss", "1"});
    ASSERT_TRUE(lab.up());
    // Short timeouts turn a lost packet into a failed probe (no time for a
    // retransmission), so 1% loss gives failures to re-probe. A budget of
    // 1000 makes the first sweep 15 probes per bucket: a sweep without a
    // single failure would end the hunt as healthy.
    const auto result = hunt({"--budget", "1000", "--connect-timeout", "0.15", "--handshake-timeout", "0.15",
                              "--data-timeout", "0.3", "--background-loss", "0.1", "--model",
                              "jhash:seed=0,mod=8"});
    EXPECT_TRUE(faulty(result.report).empty()) << result.out;
    EXPECT_EQ(determinism(result.report), "random_loss") << result.out;
    EXPECT_NE(result.out.find("Failures look like random loss"), std::string::npos) << result.out;
    EXPECT_EQ(result.status, 0) << result.out;
}

TEST_F(HuntLabTest, SplitFlowsFlipAndTheReportSaysSo)
{
    const LabGuard lab({"--faulty", "5", "--split-prob", "0.5"});
    ASSERT_TRUE(lab.up());
    // A handshake timeout short enough that a misrouted ClientHello gets one
    // retransmission at most: about half the tries of a bucket-5 tuple fail.
    const auto result = hunt({"--budget", "400", "--handshake-timeout", "0.3", "--data-timeout", "0.5",
                              "--model", "jhash:seed=0,mod=8"});
    EXPECT_EQ(result.status, 1) << result.out;
    EXPECT_EQ(determinism(result.report), "per_flow_flips") << result.out;
    EXPECT_GT(result.report.at("flipped_tuples").as_int64(), 0) << result.out;
    EXPECT_NE(result.out.find("flipped between pass and fail"), std::string::npos) << result.out;
    EXPECT_EQ(faulty(result.report), (std::vector<std::int64_t>{5})) << result.out;
}

TEST_F(HuntLabTest, Crc16HashMapIsFoundWithoutAModel)
{
    const auto model = results::parse_hash_model("crc16:variant=arc,fields=sport,mod=8");
    const auto crc = [&model](std::uint32_t port) {
        results::FlowTuple tuple;
        tuple.src_port = static_cast<std::uint16_t>(port);
        return model->bucket(tuple);
    };
    const auto map_file = fs::temp_directory_path() / fmt::format("tlsprobe-crc-map-{}.txt", ::getpid());
    {
        std::ofstream out(map_file);
        for (std::uint32_t port = 1024; port <= 65535; ++port) {
            out << port << ' ' << crc(port) << '\n';
        }
    }
    const LabGuard lab({"--buckets", "8", "--hash-map", map_file.string(), "--faulty", "5"});
    ASSERT_TRUE(lab.up());
    const auto result = hunt({"--budget", "600", "--ports", "1024-65535", "--handshake-timeout", handshake_timeout});
    fs::remove(map_file);
    EXPECT_EQ(result.status, 1) << result.out;
    const auto& fit = result.report.at("port_fit").as_object();
    ASSERT_EQ(fit.at("outcome").as_string(), "accepted") << result.out;
    EXPECT_GE(fit.at("held_out").as_object().at("accuracy").as_double(), 0.99) << result.out;
    // The fitted equations against the real map, over every port.
    std::uint64_t right = 0;
    for (std::uint32_t port = 1024; port <= 65535; ++port) {
        bool inside = true;
        for (const auto& equation : fit.at("equations").as_array()) {
            const auto mask = static_cast<std::uint32_t>(equation.at("mask").as_int64());
            const auto parity = equation.at("parity").as_int64();
            inside = inside && std::popcount(port & mask) % 2 == parity;
        }
        right += inside == (crc(port) == 5) ? 1U : 0U;
    }
    EXPECT_GE(static_cast<double>(right) / 64512.0, 0.99) << result.out;
}

}  // namespace
}  // namespace tlsprobe::lab
