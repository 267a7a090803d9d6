#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace tlsprobe::core {

// The digits every hex spelling in the files uses, lower case.
inline constexpr std::string_view hex_digits = "0123456789abcdef";

// Lower-case hex, two digits per byte, no separators: how files spell
// client randoms, digests and keys.
[[nodiscard]] std::string to_hex(std::span<const std::uint8_t> bytes);
[[nodiscard]] std::string to_hex(std::span<const std::byte> bytes);

}  // namespace tlsprobe::core
