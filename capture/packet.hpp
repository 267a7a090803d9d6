#pragma once
// What the decoder extracts from one captured frame that carries TCP.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace tlsprobe::capture {

using MacAddress = std::array<std::byte, 6>;

struct IpAddress {
    // IPv4 addresses use the first four bytes; the rest stay zero.
    std::array<std::byte, 16> bytes{};
    std::uint8_t version = 4;

    friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

[[nodiscard]] std::string to_string(const IpAddress& address);
[[nodiscard]] std::string to_string(const MacAddress& mac);
// An IPv4 or IPv6 literal as to_string writes it; nothing for anything else.
[[nodiscard]] std::optional<IpAddress> parse_ip_address(std::string_view text);

namespace tcp_flag {
inline constexpr std::uint8_t fin = 0x01;
inline constexpr std::uint8_t syn = 0x02;
inline constexpr std::uint8_t rst = 0x04;
inline constexpr std::uint8_t psh = 0x08;
inline constexpr std::uint8_t ack = 0x10;
}  // namespace tcp_flag

struct TcpOptions {
    std::optional<std::uint16_t> mss;
    std::optional<std::uint8_t> window_scale;
    bool sack_permitted = false;
    std::uint8_t sack_blocks = 0;
    // RFC 7323 timestamps: the sender's clock and the echoed peer clock.
    std::optional<std::uint32_t> tsval;
    std::optional<std::uint32_t> tsecr;
};

struct TcpPacket {
    // pcap timestamp, nanoseconds since the Unix epoch.
    std::int64_t t_ns = 0;
    // Link-layer addresses when the link type carries them (Ethernet both,
    // Linux cooked captures only the sender's).
    std::optional<MacAddress> src_mac;
    std::optional<MacAddress> dst_mac;
    IpAddress src;
    IpAddress dst;
    // IPv4 TTL or IPv6 hop limit.
    std::uint8_t ttl = 0;
    // IPv4 identification; IPv6 has none outside fragments.
    std::optional<std::uint16_t> ip_id;
    std::uint16_t src_port = 0;
    std::uint16_t dst_port = 0;
    std::uint32_t seq = 0;
    std::uint32_t ack = 0;
    std::uint8_t flags = 0;
    std::uint16_t window = 0;
    TcpOptions options;
    // The captured part of the TCP payload; may be shorter than payload_length
    // when the snaplen cut the frame.
    std::span<const std::byte> payload;
    // Payload length on the wire, from the IP length fields.
    std::uint32_t payload_length = 0;
    // The frame was cut by the snaplen inside the TCP payload.
    bool truncated = false;

    [[nodiscard]] bool has(std::uint8_t flag) const { return (flags & flag) != 0; }
};

}  // namespace tlsprobe::capture
