#include "results/hash_functions.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace tlsprobe::results {
namespace {

std::vector<std::uint8_t> ascii(std::string_view text) {
    return {text.begin(), text.end()};
}

TEST(Crc, EveryVariantMatchesItsPublishedCheckValue) {
    const auto check_input = ascii("123456789");
    for (const unsigned width : {16U, 32U}) {
        ASSERT_FALSE(crc_variants(width).empty());
        for (const CrcVariant& variant : crc_variants(width)) {
            EXPECT_EQ(crc(variant, check_input), variant.check) << "crc" << width << " " << variant.name;
        }
    }
}

TEST(Crc, CatalogueHoldsTheCommonNamesWithTheirCheckValues) {
    // Written out here so a wrong catalogue entry cannot hide behind its own check field.
    const std::array<std::pair<std::string_view, std::uint32_t>, 9> expected{{
        {"arc", 0xbb3d}, {"ibm-3740", 0x29b1}, {"xmodem", 0x31c3}, {"kermit", 0x2189}, {"modbus", 0x4b37},
        {"iso-hdlc", 0xcbf43926}, {"iscsi", 0xe3069283}, {"bzip2", 0xfc891918}, {"mpeg-2", 0x0376e6e7},
    }};
    const auto check_input = ascii("123456789");
    for (const auto& [name, value] : expected) {
        bool found = false;
        for (const unsigned width : {16U, 32U}) {
            for (const CrcVariant& variant : crc_variants(width)) {
                if (variant.name == name) {
                    found = true;
                    EXPECT_EQ(crc(variant, check_input), value) << name;
                }
            }
        }
        EXPECT_TRUE(found) << name;
    }
}

// Microsoft "Verifying the RSS Hash Calculation": IPv4 with TCP ports,
// input = source address, destination address, source port, destination port.
struct RssCase {
    std::array<std::uint8_t, 4> src;
    std::uint16_t src_port;
    std::array<std::uint8_t, 4> dst;
    std::uint16_t dst_port;
    std::uint32_t ipv4_only;
    std::uint32_t with_tcp;
};

TEST(Toeplitz, MatchesTheRssVerificationSuiteForIpv4) {
    const std::array<RssCase, 5> cases{{
        {{66, 9, 149, 187}, 2794, {161, 142, 100, 80}, 1766, 0x323e8fc2, 0x51ccc178},
        {{199, 92, 111, 2}, 14230, {65, 69, 140, 83}, 4739, 0xd718262a, 0xc626b0ea},
        {{24, 19, 198, 95}, 12898, {12, 22, 207, 184}, 38024, 0xd2d0a5de, 0x5c2b394a},
        {{38, 27, 205, 30}, 48228, {209, 142, 163, 6}, 2217, 0x82989176, 0xafc7327f},
        {{153, 39, 163, 191}, 44251, {202, 188, 127, 2}, 1303, 0x5d1809c5, 0x10e828a2},
    }};
    for (const RssCase& c : cases) {
        std::vector<std::uint8_t> input(c.src.begin(), c.src.end());
        input.insert(input.end(), c.dst.begin(), c.dst.end());
        EXPECT_EQ(toeplitz_hash(rss_standard_key(), input), c.ipv4_only);
        input.push_back(static_cast<std::uint8_t>(c.src_port >> 8U));
        input.push_back(static_cast<std::uint8_t>(c.src_port & 0xffU));
        input.push_back(static_cast<std::uint8_t>(c.dst_port >> 8U));
        input.push_back(static_cast<std::uint8_t>(c.dst_port & 0xffU));
        EXPECT_EQ(toeplitz_hash(rss_standard_key(), input), c.with_tcp);
    }
}

TEST(Jhash, EmptyKeyReturnsTheInitialValueUnmixed) {
    // lookup3: length 0 skips the final mix.
    EXPECT_EQ(linux_jhash({}, 0), 0xdeadbeefU);
    EXPECT_EQ(linux_jhash({}, 1), 0xdeadbef0U);
}

TEST(ReciprocalScale, TakesTheHighHalfOfTheProduct) {
    EXPECT_EQ(reciprocal_scale(0, 8), 0U);
    EXPECT_EQ(reciprocal_scale(0xffffffffU, 8), 7U);
    EXPECT_EQ(reciprocal_scale(0x80000000U, 8), 4U);
    EXPECT_EQ(reciprocal_scale(0x1fffffffU, 8), 0U);
    EXPECT_EQ(reciprocal_scale(0x20000000U, 8), 1U);
}

TEST(XorFold, XorsBigEndianWordsAndPadsTheLastOne) {
    const std::vector<std::uint8_t> bytes{0x12, 0x34, 0x56, 0x78, 0x9a};
    EXPECT_EQ(xor_fold(bytes, 8), 0x12U ^ 0x34U ^ 0x56U ^ 0x78U ^ 0x9aU);
    EXPECT_EQ(xor_fold(bytes, 16), 0x1234U ^ 0x5678U ^ 0x9a00U);
    EXPECT_EQ(xor_fold(bytes, 32), 0x12345678U ^ 0x9a000000U);
}

}  // namespace
}  // namespace tlsprobe::results
