#pragma once
// HOST:PORT as flags and files write it: a name, an IPv4 literal, or an
// IPv6 literal in brackets ([2001:db8::1]:443).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tlsprobe::core {

struct Endpoint {
    std::string host;          // as given: name or address literal, without brackets
    std::uint16_t port = 0;
};

// Port 0 ("any free port") makes sense for a listening address only.
enum class PortZero { rejected, allowed };

// Throws UsageError naming `field` (see core::Error) and the value, and
// saying what is wrong.
[[nodiscard]] Endpoint parse_endpoint(std::string_view text, std::string field,
                                      PortZero zero = PortZero::rejected);

// A decimal port from `lowest` to 65535, nothing else on the line.
[[nodiscard]] std::optional<std::uint16_t> parse_port(std::string_view text, unsigned lowest = 1);

}  // namespace tlsprobe::core
