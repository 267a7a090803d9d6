#pragma once
// Link layer -> IPv4/IPv6 -> TCP. Never throws and never reads outside the
// frame: every failure is a DecodeReason with the offset and field where the
// frame stopped making sense, and the caller counts it.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "capture/packet.hpp"

namespace tlsprobe::capture {

enum class LinkType : std::uint8_t {
    ethernet,    // DLT_EN10MB, with 802.1Q / 802.1ad tags
    linux_sll,   // DLT_LINUX_SLL (tcpdump -i any, older libpcap)
    linux_sll2,  // DLT_LINUX_SLL2
    bsd_null,    // DLT_NULL: address family in the writer's byte order
    bsd_loop,    // DLT_LOOP: address family in network byte order
    raw_ip,      // DLT_RAW / LINKTYPE_RAW / DLT_IPV4 / DLT_IPV6
};

[[nodiscard]] std::string_view to_string(LinkType type);
// The link type for a pcap DLT number, or nothing when it is not supported.
[[nodiscard]] std::optional<LinkType> link_type_from_dlt(int dlt);

enum class DecodeReason : std::uint8_t {
    ok,
    // Not errors: frames the flow table has no use for.
    not_ip,
    not_tcp,
    ip_fragment,
    ipv6_esp,
    // The snaplen cut the frame before the end of the TCP header.
    snaplen_truncated,
    // Malformed frames.
    truncated_link_header,
    too_many_vlan_tags,
    bad_ip_version,
    bad_ipv4_header_length,
    bad_ipv4_total_length,
    bad_ipv6_payload_length,
    truncated_ip_header,
    truncated_ipv6_extension,
    truncated_tcp_header,
    bad_tcp_data_offset,
    bad_tcp_option,
};
inline constexpr std::size_t decode_reason_count = 17;

[[nodiscard]] std::string_view to_string(DecodeReason reason);
// True for the reasons that mean a broken frame rather than one we skip.
[[nodiscard]] bool is_error(DecodeReason reason);

struct DecodeResult {
    DecodeReason reason = DecodeReason::ok;
    // Where the problem was found: offset in the frame and the field being read.
    std::size_t offset = 0;
    std::string_view field;

    [[nodiscard]] bool ok() const { return reason == DecodeReason::ok; }
};

// Decodes one frame. `frame` is what was captured, `wire_length` the frame's
// length on the wire (pcap's len); `packet` is filled as far as decoding got.
[[nodiscard]] DecodeResult decode_frame(LinkType link, std::span<const std::byte> frame, std::uint32_t wire_length,
                                        TcpPacket& packet);

// Counts of every reason, indexed by DecodeReason.
struct DecodeCounters {
    std::array<std::uint64_t, decode_reason_count> by_reason{};

    void add(DecodeReason reason) { ++by_reason[static_cast<std::size_t>(reason)]; }
    [[nodiscard]] std::uint64_t operator[](DecodeReason reason) const
    {
        return by_reason[static_cast<std::size_t>(reason)];
    }
};

}  // namespace tlsprobe::capture
