#include "lab/ground_truth.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fmt/format.h>
#include <fstream>

#include "cli/error_message.hpp"
#include "core/errors.hpp"

namespace tlsprobe::lab {
namespace {

namespace fs = std::filesystem;
using boost::asio::ip::make_address;

results::FlowTuple tuple(std::uint16_t src_port)
{
    return {make_address("198.18.1.2"), src_port, make_address("198.18.100.10"), 443};
}

class TempFile : public ::testing::Test {
protected:
    fs::path write(const std::string& text)
    {
        std::ofstream(path_) << text;
        return path_;
    }
    void TearDown() override { fs::remove(path_); }
    fs::path path_ = fs::temp_directory_path() / fmt::format("lab-truth-test-{}.txt", ::getpid());
};

using TuplesFileTest = TempFile;

TEST_F(TuplesFileTest, ReadsProbesJsonlAndPlainLines)
{
    const auto file = read_tuples(write(
        R"({"probe_id":7,"attempt":2,"src_ip":"198.18.1.2","src_port":20000,"dst_ip":"198.18.100.10","dst_port":443,"outcome":"ok"})"
        "\n"
        R"({"probe_id":8,"attempt":1,"src_ip":"198.18.1.2","src_port":null,"dst_ip":"198.18.100.10","dst_port":443})"
        "\n198.18.1.2 20001 198.18.100.10 443\n"));
    ASSERT_EQ(file.tuples.size(), 2U);
    EXPECT_EQ(file.without_tuple, 1U);
    EXPECT_EQ(tuple_key(file.tuples[0].tuple), "198.18.1.2:20000>198.18.100.10:443");
    EXPECT_EQ(file.tuples[0].ids.at("probe_id").as_int64(), 7);
    EXPECT_EQ(file.tuples[0].ids.at("attempt").as_int64(), 2);
    EXPECT_EQ(tuple_key(file.tuples[1].tuple), "198.18.1.2:20001>198.18.100.10:443");
}

TEST_F(TuplesFileTest, NamesFileAndLineOfAMalformedLine)
{
    try {
        (void)read_tuples(write("198.18.1.2 20001 198.18.100.10 443\n198.18.1.2 20001\n"));
        FAIL() << "no error";
    } catch (const core::InputError& error) {
        EXPECT_TRUE(cli::message_of(error).starts_with(fmt::format("--tuples {}:2: ", path_.string()))) << error.what();
    }
}

TEST(BucketRuleTest, JhashRuleIsTheHashModelAndFatesFollowTheConfig)
{
    LabConfig config;
    config.seed = 0x5eed;
    config.faulty = {5};
    config.reset_buckets = {2};
    const BucketRule rule(config);
    const auto model = results::parse_hash_model("jhash:seed=0x5eed,mod=8");
    for (std::uint16_t port = 20000; port < 20100; ++port) {
        EXPECT_EQ(rule.bucket(tuple(port)), model->bucket(tuple(port)));
    }
    EXPECT_EQ(rule.fate(5), BucketFate::faulty);
    EXPECT_EQ(rule.fate(2), BucketFate::reset);
    EXPECT_EQ(rule.fate(0), BucketFate::healthy);
}

TEST(BucketRuleTest, HashMapRuleLooksUpTheSourcePort)
{
    LabConfig config;
    config.hash_map_file = "map.txt";
    config.hash_map = {{20000, 3}};
    const BucketRule rule(config);
    EXPECT_EQ(rule.bucket(tuple(20000)), 3U);
    EXPECT_EQ(rule.bucket(tuple(20001)), std::nullopt);
    EXPECT_EQ(rule.fate(std::nullopt), BucketFate::unmapped);
}

using RelayConnectionsTest = TempFile;

TEST_F(RelayConnectionsTest, MapsEachClientConnectionToItsUpstreamTupleInOrder)
{
    const auto line = [](int client_port, int upstream_port) {
        return fmt::format(
            R"({{"client":{{"src_ip":"198.18.1.2","src_port":{},"dst_ip":"198.18.3.2","dst_port":4443}},)"
            R"("upstream":{{"src_ip":"198.18.4.2","src_port":{},"dst_ip":"198.18.100.10","dst_port":443}}}})"
            "\n",
            client_port, upstream_port);
    };
    auto relay = RelayConnections::load(write(line(20000, 40000) + line(20001, 40001) + line(20000, 40002)));
    EXPECT_EQ(relay.take(tuple(20000))->src_port, 40000);
    EXPECT_EQ(relay.take(tuple(20000))->src_port, 40002);
    EXPECT_EQ(relay.take(tuple(20000)), std::nullopt);
    EXPECT_EQ(relay.take(tuple(20001))->src.to_string(), "198.18.4.2");
    EXPECT_EQ(relay.take(tuple(20002)), std::nullopt);
}

}  // namespace
}  // namespace tlsprobe::lab
