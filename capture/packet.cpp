#include "capture/packet.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <iterator>

#include "core/hex.hpp"

namespace tlsprobe::capture {

std::string to_string(const IpAddress& address)
{
    if (address.version != 6) {
        // Written here rather than by inet_ntop, whose IPv4 path is sprintf.
        std::string text;
        text.reserve(15);
        for (std::size_t i = 0; i < 4; ++i) {
            if (i > 0) {
                text.push_back('.');
            }
            char digits[3];
            const unsigned byte = std::to_integer<unsigned>(address.bytes[i]);
            const auto end = std::to_chars(std::begin(digits), std::end(digits), byte).ptr;
            text.append(std::begin(digits), end);
        }
        return text;
    }
    char text[INET6_ADDRSTRLEN] = {};
    if (::inet_ntop(AF_INET6, address.bytes.data(), text, sizeof text) == nullptr) {
        return "?";
    }
    return text;
}

std::optional<IpAddress> parse_ip_address(std::string_view text)
{
    const std::string literal(text);
    IpAddress address;
    if (::inet_pton(AF_INET, literal.c_str(), address.bytes.data()) == 1) {
        address.version = 4;
        return address;
    }
    address = IpAddress{};
    if (::inet_pton(AF_INET6, literal.c_str(), address.bytes.data()) == 1) {
        address.version = 6;
        return address;
    }
    return std::nullopt;
}

std::string to_string(const MacAddress& mac)
{
    std::string text(3 * mac.size() - 1, ':');
    for (std::size_t i = 0; i < mac.size(); ++i) {
        const auto value = std::to_integer<unsigned>(mac[i]);
        text[3 * i] = core::hex_digits[value >> 4U];
        text[3 * i + 1] = core::hex_digits[value & 0x0fU];
    }
    return text;
}

}  // namespace tlsprobe::capture
