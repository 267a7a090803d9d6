#include "results/hashed_tuples.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "core/errors.hpp"

namespace tlsprobe::results {
namespace {

prober::ProbeRecord probe(std::uint64_t id, std::uint16_t port, std::uint32_t attempt)
{
    prober::ProbeRecord record;
    record.probe_id = id;
    record.attempt = attempt;
    record.src_ip = "198.18.1.2";
    record.src_port = port;
    record.dst_ip = "198.18.100.10";
    record.dst_port = 443;
    return record;
}

TEST(ServerSideTuples, ReplaceTheClientTupleWhereAMiddleboxRewroteIt)
{
    const auto file = std::filesystem::temp_directory_path() / "tlsprobe_hashed_tuples_test.jsonl";
    std::ofstream(file) << R"({"probe_id":0,"server":{"tuple":"198.18.4.2:55847 -> 198.18.100.10:443"}})" << "\n"
                        << R"({"probe_id":1,"server":{"tuple":"198.18.1.2:20001 -> 198.18.100.10:443"}})" << "\n"
                        << R"({"probe_id":2,"verdict":"syn_lost"})" << "\n"
                        << R"({"probe_id":3,"server":{"tuple":"2001:db8::4:40000 -> 2001:db8::10:443"}})" << "\n"
                        << R"({"probe_id":4,"server":{"tuple":"198.18.4.2:55847 -> 198.18.100.10:443"}})" << "\n";
    std::vector<prober::ProbeRecord> records{probe(4, 20004, 1), probe(0, 20000, 2), probe(1, 20001, 1), probe(2, 20002, 1),
                                     probe(3, 20003, 1)};
    EXPECT_EQ(use_server_side_tuples(records, file), 3U);
    EXPECT_EQ(records[0].src_port, 55847);
    EXPECT_EQ(records[0].attempt, 2U) << "the proxy reused its port: the same hashed tuple, probed again";
    records.erase(records.begin());
    EXPECT_EQ(records[0].src_ip, "198.18.4.2");
    EXPECT_EQ(records[0].src_port, 55847);
    EXPECT_EQ(records[0].attempt, 1U);
    EXPECT_EQ(records[1].src_port, 20001) << "same tuple on both sides: untouched";
    EXPECT_EQ(records[2].src_port, 20002) << "no server flow: untouched";
    EXPECT_EQ(records[3].src_ip, "2001:db8::4");
    EXPECT_EQ(records[3].dst_ip, "2001:db8::10");

    std::ofstream(file) << R"({"probe_id":0,"server":{"tuple":"nonsense"}})" << "\n";
    try {
        (void)use_server_side_tuples(records, file);
        FAIL();
    } catch (const core::InputError& error) {
        EXPECT_NE(std::string(error.what()).find(file.string() + ":1:"), std::string::npos) << error.what();
    }
    std::filesystem::remove(file);
}

}  // namespace
}  // namespace tlsprobe::results
