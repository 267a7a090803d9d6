#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace tlsprobe::core {

// Lower-case hex, two digits per byte, no separators: how files spell
// client randoms, digests and keys.
[[nodiscard]] std::string to_hex(std::span<const std::uint8_t> bytes);
[[nodiscard]] std::string to_hex(std::span<const std::byte> bytes);

}  // namespace tlsprobe::core
