// The positive path of `buckets`, beside its bad-input cases in the table.
#include <gtest/gtest.h>

#include <boost/asio/ip/address.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <fstream>
#include <iterator>

#include "child_process.hpp"
#include "prober/probe_record.hpp"
#include "results/hash_model.hpp"

namespace tlsprobe::testing {
namespace {

// A synthetic run: bucket 5 of 8 under jhash fails every attempt, everything else passes.
TEST(Buckets, NamesTheDeadBucketOfASyntheticRun)
{
    TempDir dir;
    const auto model = results::parse_hash_model("jhash:seed=0x1234,mod=8");
    {
        std::ofstream out(dir.path() / "probes.jsonl");
        std::uint64_t id = 0;
        for (std::uint32_t attempt = 1; attempt <= 2; ++attempt) {
            for (std::uint16_t port = 20000; port < 20200; ++port) {
                prober::ProbeRecord record;
                record.probe_id = id++;
                record.attempt = attempt;
                record.src_ip = "198.18.1.2";
                record.src_port = port;
                record.dst_ip = "198.18.100.10";
                record.dst_port = 443;
                const bool dead = model->bucket({.src = boost::asio::ip::make_address(record.src_ip),
                                                 .src_port = port,
                                                 .dst = boost::asio::ip::make_address(record.dst_ip),
                                                 .dst_port = 443}) == 5;
                record.outcome = dead ? prober::Outcome::handshake_timeout : prober::Outcome::ok;
                out << boost::json::serialize(prober::to_json(record)) << '\n';
            }
        }
    }
    const auto result =
        run_command({tlsprobe_binary(), "buckets", dir.path().string(), "--model", "jhash:seed=0x1234,mod=8"});
    EXPECT_EQ(result.exit_code, 1) << result.err;
    EXPECT_NE(result.out.find("Failures are per-flow and deterministic"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("buckets 0-4, 6, 7 are clean."), std::string::npos) << result.out;
    std::ifstream in(dir.path() / "buckets.json");
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto report = boost::json::parse(text).as_object();
    ASSERT_EQ(report.at("faulty_buckets").as_array().size(), 1U);
    EXPECT_EQ(report.at("faulty_buckets").as_array()[0].as_int64(), 5);
}

}  // namespace
}  // namespace tlsprobe::testing
