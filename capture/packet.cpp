#include "capture/packet.hpp"

#include <arpa/inet.h>

#include <fmt/format.h>

namespace tlsprobe::capture {

std::string to_string(const IpAddress& address)
{
    char text[INET6_ADDRSTRLEN] = {};
    const int family = address.version == 6 ? AF_INET6 : AF_INET;
    if (::inet_ntop(family, address.bytes.data(), text, sizeof text) == nullptr) {
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
    return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", std::to_integer<unsigned>(mac[0]),
                       std::to_integer<unsigned>(mac[1]), std::to_integer<unsigned>(mac[2]),
                       std::to_integer<unsigned>(mac[3]), std::to_integer<unsigned>(mac[4]),
                       std::to_integer<unsigned>(mac[5]));
}

}  // namespace tlsprobe::capture
