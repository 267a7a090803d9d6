#include "results/hash_model.hpp"

#include "core/errors.hpp"
#include "results/hash_functions.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace tlsprobe::results {
namespace {

using boost::asio::ip::make_address;

// Buckets the Linux kernel (6.18, x86_64) put SYNs from source ports
// first_port, first_port+1, ... in, read back from nftables sets filled per
// bucket by `... <jhash expr> vmap { b : jump bN }` (tests/lab re-checks live).
struct KernelReference {
    const char* spec;
    const char* src;
    const char* dst;
    std::uint16_t dst_port;
    std::uint16_t first_port;
    std::vector<std::uint32_t> buckets;
};

std::vector<KernelReference> kernel_references() {
    return {
        // jhash ip saddr . tcp sport . ip daddr . tcp dport mod 8 seed 0x1234
        {"jhash:seed=0x1234,mod=8", "198.18.0.1", "198.18.0.2", 9, 40000,
         {7, 1, 6, 3, 3, 3, 5, 7, 6, 1, 4, 5, 3, 7, 3, 0, 2, 6, 7, 7, 5, 0, 0, 0, 4, 6, 7, 1, 6, 7, 6, 0}},
        // ... mod 16 seed 0xdeadbeef offset 100
        {"jhash:seed=0xdeadbeef,mod=16,offset=100", "198.18.0.1", "198.18.0.2", 9, 50000,
         {110, 104, 111, 114, 107, 113, 106, 104, 101, 106, 115, 112, 103, 104, 109, 106,
          100, 104, 100, 101, 104, 112, 115, 112, 100, 111, 103, 108, 100, 101, 115, 100}},
        // jhash ip6 saddr . tcp sport . ip6 daddr . tcp dport mod 8 seed 0x1234
        {"jhash:seed=0x1234,mod=8", "2001:db8::1", "2001:db8::2", 9, 40000,
         {7, 3, 5, 7, 4, 6, 6, 1, 4, 1, 0, 7, 0, 3, 5, 6, 1, 2, 6, 4, 2, 4, 3, 0, 6, 0, 5, 6, 1, 5, 6, 2}},
        // jhash ip saddr . tcp sport mod 8 seed 7 (8-byte key: tail-only path)
        {"jhash:seed=7,fields=saddr.sport,mod=8", "198.18.0.1", "198.18.0.2", 9, 40000,
         {4, 5, 0, 1, 0, 0, 6, 5, 4, 7, 4, 2, 4, 4, 3, 7, 5, 1, 0, 5, 5, 4, 1, 5, 6, 7, 3, 0, 0, 3, 6, 5}},
        // jhash tcp sport mod 5 seed 0 (a port alone, padded to one register)
        {"jhash:seed=0,fields=sport,mod=5", "198.18.0.1", "198.18.0.2", 9, 40000,
         {4, 0, 4, 1, 3, 3, 0, 2, 3, 4, 3, 1, 3, 0, 0, 4, 1, 3, 4, 1, 4, 2, 2, 4, 2, 4, 2, 0, 2, 4, 1, 0}},
    };
}

TEST(JhashModel, MatchesTheKernelNftablesJhashBitForBit) {
    for (const KernelReference& ref : kernel_references()) {
        const auto model = parse_hash_model(ref.spec);
        for (std::size_t i = 0; i < ref.buckets.size(); ++i) {
            const FlowTuple tuple{make_address(ref.src), static_cast<std::uint16_t>(ref.first_port + i),
                                  make_address(ref.dst), ref.dst_port};
            EXPECT_EQ(model->bucket(tuple), ref.buckets[i]) << ref.spec << " " << ref.src << " port "
                                                            << tuple.src_port;
        }
    }
}

TEST(HashModel, DescribeIsCanonicalAndParsesBackToTheSameModel) {
    const std::array<std::pair<const char*, const char*>, 6> cases{{
        {"jhash:seed=0x1234,mod=8", "jhash:seed=0x1234,fields=saddr.sport.daddr.dport,mod=8,offset=0"},
        {"jhash:mod=16,offset=100,seed=4660", "jhash:seed=0x1234,fields=saddr.sport.daddr.dport,mod=16,offset=100"},
        {"crc16:fields=sport,mod=64", "crc16:variant=arc,fields=sport,mod=64,offset=0"},
        {"crc32:variant=iscsi,mod=4", "crc32:variant=iscsi,fields=saddr.daddr.sport.dport,mod=4,offset=0"},
        {"toeplitz:key=0x6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa,mod=128",
         "toeplitz:key=6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa,"
         "fields=saddr.daddr.sport.dport,mod=128,offset=0"},
        {"xor:width=8,fields=sport.dport,mod=3,offset=1", "xor:width=8,fields=sport.dport,mod=3,offset=1"},
    }};
    for (const auto& [spec, canonical] : cases) {
        const auto model = parse_hash_model(spec);
        EXPECT_EQ(model->describe(), canonical);
        EXPECT_EQ(parse_hash_model(model->describe())->describe(), canonical);
    }
}

TEST(HashModel, ByteModelsReduceTheirHashModuloTheBucketCountPlusOffset) {
    const FlowTuple tuple{make_address("198.18.0.1"), 0x1234, make_address("198.18.0.2"), 443};
    const std::vector<std::uint8_t> sport{0x12, 0x34};
    const auto arc = crc_variants(16).front();
    EXPECT_EQ(parse_hash_model("crc16:fields=sport,mod=64,offset=3")->bucket(tuple), crc(arc, sport) % 64 + 3);
    EXPECT_EQ(parse_hash_model("xor:fields=sport,mod=1000")->bucket(tuple), 0x1234U % 1000);
    // RSS suite case 1 through the model: 0x51ccc178 % 128 = 0x78.
    const FlowTuple rss{make_address("66.9.149.187"), 2794, make_address("161.142.100.80"), 1766};
    EXPECT_EQ(parse_hash_model("toeplitz:mod=128")->bucket(rss), 0x78U);
    EXPECT_EQ(parse_hash_model("toeplitz:mod=128")->bucket_count(), 128U);
}

TEST(HashModel, PortsByBucketCoversEveryBucketAndAgreesWithTheModel) {
    const auto model = parse_hash_model("jhash:seed=0x1234,mod=8,offset=10");
    const FlowTuple base{make_address("198.18.0.1"), 0, make_address("198.18.0.2"), 9};
    const auto groups = ports_by_bucket(*model, base, 40000, 40031);
    ASSERT_EQ(groups.size(), 8U);
    EXPECT_EQ(groups.begin()->first, 10U);
    std::size_t total = 0;
    for (const auto& [bucket, ports] : groups) {
        for (const std::uint16_t port : ports) {
            EXPECT_EQ(model->bucket({base.src, port, base.dst, base.dst_port}), bucket);
        }
        total += ports.size();
    }
    EXPECT_EQ(total, 32U);
    // Kernel reference above: port 40000 is in bucket 7 (+ offset 10).
    EXPECT_EQ(groups.at(17).front(), 40000);
}

TEST(HashModel, BadSpecsAreUsageErrorsNamingTheProblem) {
    const std::array<std::pair<const char*, const char*>, 14> cases{{
        {"md5:mod=8", "unknown model 'md5'"},
        {"jhash:mod=8", "missing parameter 'seed'"},
        {"jhash:seed=0x1234", "missing parameter 'mod'"},
        {"jhash:seed=0x1234,mod=0", "'mod' must be at least 1"},
        {"jhash:seed=zz,mod=8", "parameter 'seed' is not a 32-bit unsigned number"},
        {"jhash:seed=0x1234,mod=8,colour=red", "unknown parameter 'colour'"},
        {"jhash:seed=1,seed=2,mod=8", "'seed' given twice"},
        {"jhash:seed=1,mod=-8", "parameter 'mod' is not a 32-bit unsigned number"},
        {"jhash:seed=1,mod=8,offset=4294967295", "overflows"},
        {"jhash:seed=1,mod", "expected key=value"},
        {"crc16:variant=bogus,mod=8", "unknown crc16 variant 'bogus'"},
        {"crc32:fields=sport.vlan,mod=8", "unknown field 'vlan'"},
        {"toeplitz:key=6d5a5,mod=8", "parameter 'key'"},
        {"xor:width=12,mod=8", "parameter 'width'"},
    }};
    for (const auto& [spec, message] : cases) {
        try {
            static_cast<void>(parse_hash_model(spec));
            ADD_FAILURE() << spec << " was accepted";
        } catch (const core::UsageError& e) {
            EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find(spec), std::string::npos) << e.what();
        }
    }
}

}  // namespace
}  // namespace tlsprobe::results
