#include "lab/config.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fmt/format.h>
#include <fstream>

#include "cli/error_message.hpp"
#include "core/errors.hpp"

namespace tlsprobe::lab {
namespace {

namespace fs = std::filesystem;

class HashMapFileTest : public ::testing::Test {
protected:
    fs::path write(const std::string& text)
    {
        std::ofstream(path_) << text;
        return path_;
    }
    void TearDown() override { fs::remove(path_); }

    // The message of the core::InputError that loading `text` throws.
    std::string error_of(const std::string& text, std::uint32_t buckets = 8)
    {
        try {
            (void)load_hash_map(write(text), buckets);
        } catch (const core::InputError& error) {
            return cli::message_of(error);
        }
        return "no error";
    }

    fs::path path_ = fs::temp_directory_path() / fmt::format("lab-map-test-{}.txt", ::getpid());
};

TEST_F(HashMapFileTest, ReadsPortsAndBucketsSkippingCommentsAndBlankLines)
{
    const auto map = load_hash_map(write("# header\n20000 3\n\n  20001\t0   # trailing\n"), 4);
    EXPECT_EQ(map, (HashMap{{20000, 3}, {20001, 0}}));
}

TEST_F(HashMapFileTest, NamesFileAndLineOfTheFirstBadLine)
{
    const auto where = [&](int line) { return fmt::format("--hash-map {}:{}: ", path_.string(), line); };
    EXPECT_EQ(error_of("20000 1\n20001\n"), where(2) + "\"20001\" has one field (expected \"source_port bucket\")");
    EXPECT_EQ(error_of("70000 1\n"), where(1) + "\"70000\" is not a port in 1..65535 (expected \"source_port bucket\")");
    EXPECT_EQ(error_of("0 1\n"), where(1) + "\"0\" is not a port in 1..65535 (expected \"source_port bucket\")");
    EXPECT_EQ(error_of("# x\n20000 b\n"), where(2) + "\"b\" is not a bucket number (expected \"source_port bucket\")");
    EXPECT_EQ(error_of("20000 8\n"), where(1) + "bucket 8 is outside 0..7 (--buckets 8) (expected \"source_port bucket\")");
    EXPECT_EQ(error_of("20000 1\n20000 2\n"), where(2) + "port 20000 is mapped twice (expected \"source_port bucket\")");
    EXPECT_EQ(error_of("20000 1 2\n"), where(1) + "\"1 2\" is not a bucket number (expected \"source_port bucket\")");
    EXPECT_EQ(error_of("# only a comment\n"), fmt::format("--hash-map {}: no \"source_port bucket\" line", path_.string()));
}

std::string usage_error_of(const LabConfig& config)
{
    try {
        validate(config);
    } catch (const core::UsageError& error) {
        return cli::message_of(error);
    }
    return "no error";
}

TEST(LabConfigTest, RefusesOutOfRangeAndContradictorySettings)
{
    LabConfig config;
    EXPECT_EQ(usage_error_of(config), "no error");
    config.faulty = {8};
    EXPECT_EQ(usage_error_of(config), "--faulty: bucket 8 is outside 0..7 (--buckets 8)");
    config.faulty = {5, 5};
    EXPECT_EQ(usage_error_of(config), "--faulty: bucket 5 is listed twice");
    config.faulty = {5};
    config.reset_buckets = {5};
    EXPECT_EQ(usage_error_of(config), "bucket 5 is in both --faulty and --reset-buckets");
    config.reset_buckets = {};
    config.nodes = 1;
    EXPECT_EQ(usage_error_of(config), "--faulty needs --nodes 2 or more: a split flow needs a second node to go to");
    config.nodes = 17;
    EXPECT_EQ(usage_error_of(config), "--nodes 17 is outside 1..16");
    config.nodes = 2;
    config.split_prob = 0.0;
    EXPECT_EQ(usage_error_of(config), "--split-prob 0 is outside (0, 1]");
    config.split_prob = 1.0;
    config.loss_pct = -1.0;
    EXPECT_EQ(usage_error_of(config), "--loss -1 is outside [0, 100)");
    config.loss_pct = 0.0;
    config.buckets = 0;
    EXPECT_EQ(usage_error_of(config), "--buckets 0 is outside 1..1024");
}

TEST(LabConfigTest, BucketsMapToNodesRoundRobinAndSplitToTheNextNode)
{
    LabConfig config;
    config.nodes = 3;
    EXPECT_EQ(config.primary_node(5), 2U);
    EXPECT_EQ(config.split_node(5), 0U);
    EXPECT_EQ(config.hash_model_spec(), "jhash:seed=0x0,mod=8");
}

TEST(LabConfigTest, JsonRoundTripKeepsEveryKnob)
{
    LabConfig config;
    config.nodes = 3;
    config.buckets = 16;
    config.hash_map_file = "/tmp/map.txt";
    config.hash_map = {{20000, 15}, {20001, 2}};
    config.faulty = {15};
    config.split_prob = 0.5;
    config.loss_pct = 2.0;
    config.reset_buckets = {2, 3};
    config.proxy = true;
    config.lb_sloppy = true;
    config.server_behaviour = ServerBehaviour::silent;
    const auto back = config_from_json(to_json(config), "test");
    EXPECT_EQ(to_json(back), to_json(config));
    EXPECT_EQ(back.hash_map, config.hash_map);
    EXPECT_THROW((void)config_from_json(boost::json::value{}, "test"), core::InputError);
}

}  // namespace
}  // namespace tlsprobe::lab
