#include "core/hex.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace tlsprobe::core {
namespace {

TEST(Hex, TwoLowerCaseDigitsPerByte)
{
    const std::array<std::uint8_t, 5> bytes{0x00, 0x0f, 0xa5, 0x10, 0xff};
    EXPECT_EQ(to_hex(bytes), "000fa510ff");
    EXPECT_EQ(to_hex(std::vector<std::uint8_t>{}), "");
}

TEST(Hex, BytesSpellTheSame)
{
    const std::array<std::byte, 3> bytes{std::byte{0xde}, std::byte{0xad}, std::byte{0x01}};
    EXPECT_EQ(to_hex(bytes), "dead01");
}

}  // namespace
}  // namespace tlsprobe::core
