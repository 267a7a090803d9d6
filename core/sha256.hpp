#pragma once
#include <string>
#include <string_view>

namespace tlsprobe::core {

// SHA-256 of `bytes`, 64 lowercase hex digits.
[[nodiscard]] std::string sha256_hex(std::string_view bytes);

}  // namespace tlsprobe::core
