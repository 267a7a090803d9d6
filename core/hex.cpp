#include "core/hex.hpp"

namespace tlsprobe::core {

std::string to_hex(std::span<const std::byte> bytes)
{
    std::string text;
    text.reserve(bytes.size() * 2);
    for (const std::byte byte : bytes) {
        const auto value = std::to_integer<unsigned>(byte);
        text.push_back(hex_digits[value >> 4U]);
        text.push_back(hex_digits[value & 0x0fU]);
    }
    return text;
}

std::string to_hex(std::span<const std::uint8_t> bytes)
{
    return to_hex(std::as_bytes(bytes));
}

}  // namespace tlsprobe::core
