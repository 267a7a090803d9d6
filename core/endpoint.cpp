#include "core/endpoint.hpp"

#include <charconv>
#include <utility>

#include "core/errors.hpp"

namespace tlsprobe::core {
namespace {

std::string quoted(std::string_view text)
{
    return "\"" + std::string(text) + "\"";
}

}  // namespace

std::optional<std::uint16_t> parse_port(std::string_view text, unsigned lowest)
{
    unsigned value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc{} || ptr != end || value < lowest || value > 65535) {
        return std::nullopt;
    }
    return static_cast<std::uint16_t>(value);
}

Endpoint parse_endpoint(std::string_view text, std::string field, PortZero zero)
{
    std::string_view host;
    std::string_view port;
    if (text.starts_with('[')) {
        const auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
            throw UsageError(std::move(field), ": " + quoted(text) + " is not [IPV6]:PORT");
        }
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos || text.find(':') != colon) {
            throw UsageError(std::move(field), ": " + quoted(text) +
                                                   " is not HOST:PORT (write IPv6 addresses as [ADDR]:PORT)");
        }
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    if (host.empty()) {
        throw UsageError(std::move(field), ": " + quoted(text) + " has no host");
    }
    const unsigned lowest = zero == PortZero::allowed ? 0 : 1;
    const auto number = parse_port(port, lowest);
    if (!number) {
        throw UsageError(std::move(field), ": port " + quoted(port) + " is not a number in " +
                                               std::to_string(lowest) + "-65535");
    }
    return {std::string(host), *number};
}

}  // namespace tlsprobe::core
