#include "capture/decoder.hpp"

#include <algorithm>

#include "capture/byte_reader.hpp"

namespace tlsprobe::capture {

std::string_view to_string(LinkType type)
{
    switch (type) {
    case LinkType::ethernet: return "ethernet";
    case LinkType::linux_sll: return "linux_sll";
    case LinkType::linux_sll2: return "linux_sll2";
    case LinkType::bsd_null: return "bsd_null";
    case LinkType::bsd_loop: return "bsd_loop";
    case LinkType::raw_ip: return "raw_ip";
    }
    return "unknown";
}

std::optional<LinkType> link_type_from_dlt(int dlt)
{
    switch (dlt) {
    case 0: return LinkType::bsd_null;
    case 1: return LinkType::ethernet;
    case 108: return LinkType::bsd_loop;
    case 113: return LinkType::linux_sll;
    case 276: return LinkType::linux_sll2;
    // DLT_RAW is 12 on most systems and 14 on OpenBSD; 101 is LINKTYPE_RAW
    // as stored in files; 228/229 are the IPv4-only and IPv6-only variants.
    case 12:
    case 14:
    case 101:
    case 228:
    case 229: return LinkType::raw_ip;
    default: return std::nullopt;
    }
}

std::string_view to_string(DecodeReason reason)
{
    switch (reason) {
    case DecodeReason::ok: return "ok";
    case DecodeReason::not_ip: return "not_ip";
    case DecodeReason::not_tcp: return "not_tcp";
    case DecodeReason::ip_fragment: return "ip_fragment";
    case DecodeReason::ipv6_esp: return "ipv6_esp";
    case DecodeReason::snaplen_truncated: return "snaplen_truncated";
    case DecodeReason::truncated_link_header: return "truncated_link_header";
    case DecodeReason::too_many_vlan_tags: return "too_many_vlan_tags";
    case DecodeReason::bad_ip_version: return "bad_ip_version";
    case DecodeReason::bad_ipv4_header_length: return "bad_ipv4_header_length";
    case DecodeReason::bad_ipv4_total_length: return "bad_ipv4_total_length";
    case DecodeReason::bad_ipv6_payload_length: return "bad_ipv6_payload_length";
    case DecodeReason::truncated_ip_header: return "truncated_ip_header";
    case DecodeReason::truncated_ipv6_extension: return "truncated_ipv6_extension";
    case DecodeReason::truncated_tcp_header: return "truncated_tcp_header";
    case DecodeReason::bad_tcp_data_offset: return "bad_tcp_data_offset";
    case DecodeReason::bad_tcp_option: return "bad_tcp_option";
    }
    return "unknown";
}

bool is_error(DecodeReason reason)
{
    switch (reason) {
    case DecodeReason::ok:
    case DecodeReason::not_ip:
    case DecodeReason::not_tcp:
    case DecodeReason::ip_fragment:
    case DecodeReason::ipv6_esp: return false;
    default: return true;
    }
}

namespace {

constexpr std::uint16_t ethertype_ipv4 = 0x0800;
constexpr std::uint16_t ethertype_ipv6 = 0x86dd;
constexpr std::uint8_t ip_proto_tcp = 6;
constexpr int max_vlan_tags = 4;

enum class Network : std::uint8_t { ipv4, ipv6, other };

Network network_from_ethertype(std::uint16_t type)
{
    if (type == ethertype_ipv4) {
        return Network::ipv4;
    }
    if (type == ethertype_ipv6) {
        return Network::ipv6;
    }
    return Network::other;
}

// BSD address families for IPv6 differ per system (Linux 10, NetBSD/OpenBSD 24,
// FreeBSD 28, macOS 30); IPv4 is 2 everywhere.
Network network_from_family(std::uint32_t family)
{
    switch (family) {
    case 2: return Network::ipv4;
    case 10:
    case 24:
    case 28:
    case 30: return Network::ipv6;
    default: return Network::other;
    }
}

class FrameDecoder {
public:
    FrameDecoder(std::span<const std::byte> frame, std::uint32_t wire_length, TcpPacket& packet)
        : frame_(frame), cut_(frame.size() < wire_length), packet_(packet)
    {
    }

    DecodeResult run(LinkType link)
    {
        ByteReader reader(frame_);
        Network network = Network::other;
        if (auto result = link_layer(link, reader, network); !result.ok()) {
            return result;
        }
        switch (network) {
        case Network::ipv4: return ipv4(reader);
        case Network::ipv6: return ipv6(reader);
        case Network::other: return {DecodeReason::not_ip, reader.offset(), "link.protocol"};
        }
        return {DecodeReason::not_ip, reader.offset(), "link.protocol"};
    }

private:
    // A read ran out of bytes: the snaplen's doing if the frame was cut,
    // otherwise the frame itself is short.
    [[nodiscard]] DecodeResult short_read(DecodeReason reason, const ByteReader& at, std::string_view field) const
    {
        return {cut_ ? DecodeReason::snaplen_truncated : reason, at.offset(), field};
    }

    DecodeResult link_layer(LinkType link, ByteReader& reader, Network& network)
    {
        switch (link) {
        case LinkType::ethernet: return ethernet(reader, network);
        case LinkType::linux_sll: return linux_sll(reader, network);
        case LinkType::linux_sll2: return linux_sll2(reader, network);
        case LinkType::bsd_null:
        case LinkType::bsd_loop: return bsd_loopback(link, reader, network);
        case LinkType::raw_ip: return raw_ip(reader, network);
        }
        return {DecodeReason::not_ip, 0, "link"};
    }

    DecodeResult ethernet(ByteReader& reader, Network& network)
    {
        MacAddress dst{};
        MacAddress src{};
        if (!reader.copy_into(dst) || !reader.copy_into(src)) {
            return short_read(DecodeReason::truncated_link_header, reader, "ethernet.address");
        }
        packet_.dst_mac = dst;
        packet_.src_mac = src;
        auto type = reader.u16();
        // 802.1Q, 802.1ad and the pre-standard 0x9100 tag: TCI then the next type.
        for (int tags = 0; type && (*type == 0x8100 || *type == 0x88a8 || *type == 0x9100); ++tags) {
            if (tags == max_vlan_tags) {
                return {DecodeReason::too_many_vlan_tags, reader.offset(), "vlan.tag"};
            }
            if (!reader.skip(2)) {
                return short_read(DecodeReason::truncated_link_header, reader, "vlan.tci");
            }
            type = reader.u16();
        }
        if (!type) {
            return short_read(DecodeReason::truncated_link_header, reader, "ethernet.type");
        }
        network = network_from_ethertype(*type);
        return {};
    }

    DecodeResult linux_sll(ByteReader& reader, Network& network)
    {
        // packet type, ARPHRD type, then the sender's link-layer address.
        if (!reader.skip(4)) {
            return short_read(DecodeReason::truncated_link_header, reader, "sll.header");
        }
        auto address_length = reader.u16();
        auto address = reader.sub(8);
        auto protocol = reader.u16();
        if (!address_length || !address || !protocol) {
            return short_read(DecodeReason::truncated_link_header, reader, "sll.header");
        }
        sender_mac(*address, *address_length);
        network = network_from_ethertype(*protocol);
        return {};
    }

    DecodeResult linux_sll2(ByteReader& reader, Network& network)
    {
        auto protocol = reader.u16();
        // reserved, interface index, ARPHRD type, packet type
        const bool skipped = reader.skip(2 + 4 + 2 + 1);
        auto address_length = reader.u8();
        auto address = reader.sub(8);
        if (!protocol || !skipped || !address_length || !address) {
            return short_read(DecodeReason::truncated_link_header, reader, "sll2.header");
        }
        sender_mac(*address, *address_length);
        network = network_from_ethertype(*protocol);
        return {};
    }

    void sender_mac(ByteReader address, std::uint16_t length)
    {
        MacAddress mac{};
        if (length == mac.size() && address.copy_into(mac)) {
            packet_.src_mac = mac;
        }
    }

    DecodeResult bsd_loopback(LinkType link, ByteReader& reader, Network& network)
    {
        std::optional<std::uint32_t> family;
        if (link == LinkType::bsd_loop) {
            family = reader.u32();
        } else {
            // DLT_NULL is in the writer's byte order: a value above 0xffff was
            // written big-endian.
            family = reader.u32_le();
            if (family && *family > 0xffffU) {
                const std::uint32_t v = *family;
                family = ((v & 0xffU) << 24U) | ((v & 0xff00U) << 8U) | ((v >> 8U) & 0xff00U) | (v >> 24U);
            }
        }
        if (!family) {
            return short_read(DecodeReason::truncated_link_header, reader, "loopback.family");
        }
        network = network_from_family(*family);
        return {};
    }

    DecodeResult raw_ip(ByteReader& reader, Network& network)
    {
        auto peek = reader;
        auto first = peek.u8();
        if (!first) {
            return short_read(DecodeReason::truncated_ip_header, reader, "ip.version");
        }
        const unsigned version = *first >> 4U;
        network = version == 4 ? Network::ipv4 : version == 6 ? Network::ipv6 : Network::other;
        if (network == Network::other) {
            return {DecodeReason::bad_ip_version, reader.offset(), "ip.version"};
        }
        return {};
    }

    DecodeResult ipv4(ByteReader& reader)
    {
        const std::size_t start = reader.offset();
        const std::size_t available = reader.remaining();
        auto version_ihl = reader.u8();
        if (!version_ihl) {
            return short_read(DecodeReason::truncated_ip_header, reader, "ipv4.version");
        }
        if ((*version_ihl >> 4U) != 4) {
            return {DecodeReason::bad_ip_version, start, "ipv4.version"};
        }
        const std::size_t header_length = (*version_ihl & 0x0fU) * 4U;
        if (header_length < 20) {
            return {DecodeReason::bad_ipv4_header_length, start, "ipv4.ihl"};
        }
        const bool tos = reader.skip(1);
        auto total_length = reader.u16();
        auto id = reader.u16();
        auto fragment = reader.u16();
        auto ttl = reader.u8();
        auto protocol = reader.u8();
        const bool checksum = reader.skip(2);
        std::array<std::byte, 4> src{};
        std::array<std::byte, 4> dst{};
        if (!tos || !total_length || !id || !fragment || !ttl || !protocol || !checksum || !reader.copy_into(src) ||
            !reader.copy_into(dst)) {
            return short_read(DecodeReason::truncated_ip_header, reader, "ipv4.header");
        }
        if (!reader.skip(header_length - 20)) {
            return short_read(DecodeReason::truncated_ip_header, reader, "ipv4.options");
        }
        // A zero total length is what Linux shows for segmentation-offloaded
        // packets captured on the way out: the frame's length is the truth.
        std::size_t ip_length = *total_length == 0 ? available : *total_length;
        if (ip_length < header_length) {
            return {DecodeReason::bad_ipv4_total_length, start + 2, "ipv4.total_length"};
        }
        if (ip_length > available && !cut_) {
            return {DecodeReason::bad_ipv4_total_length, start + 2, "ipv4.total_length"};
        }
        packet_.src = {};
        packet_.dst = {};
        std::copy(src.begin(), src.end(), packet_.src.bytes.begin());
        std::copy(dst.begin(), dst.end(), packet_.dst.bytes.begin());
        packet_.src.version = 4;
        packet_.dst.version = 4;
        packet_.ttl = *ttl;
        packet_.ip_id = *id;
        // More-fragments flag or a non-zero offset: part of a fragmented datagram.
        if ((*fragment & 0x3fffU) != 0) {
            return {DecodeReason::ip_fragment, start + 6, "ipv4.fragment"};
        }
        if (*protocol != ip_proto_tcp) {
            return {DecodeReason::not_tcp, start + 9, "ipv4.protocol"};
        }
        return tcp(reader, ip_length - header_length);
    }

    DecodeResult ipv6(ByteReader& reader)
    {
        const std::size_t start = reader.offset();
        const std::size_t available = reader.remaining();
        auto version_class_flow = reader.u32();
        if (!version_class_flow) {
            return short_read(DecodeReason::truncated_ip_header, reader, "ipv6.version");
        }
        if ((*version_class_flow >> 28U) != 6) {
            return {DecodeReason::bad_ip_version, start, "ipv6.version"};
        }
        auto payload_length = reader.u16();
        auto next = reader.u8();
        auto hop_limit = reader.u8();
        IpAddress src;
        IpAddress dst;
        src.version = 6;
        dst.version = 6;
        if (!payload_length || !next || !hop_limit || !reader.copy_into(src.bytes) || !reader.copy_into(dst.bytes)) {
            return short_read(DecodeReason::truncated_ip_header, reader, "ipv6.header");
        }
        // Zero means a jumbogram or an offloaded packet: use the frame's length.
        std::size_t remaining_length = *payload_length == 0 ? available - 40 : *payload_length;
        if (remaining_length > available - 40 && !cut_) {
            return {DecodeReason::bad_ipv6_payload_length, start + 4, "ipv6.payload_length"};
        }
        packet_.src = src;
        packet_.dst = dst;
        packet_.ttl = *hop_limit;
        packet_.ip_id.reset();

        std::uint8_t header = *next;
        for (;;) {
            const std::size_t at = reader.offset();
            std::size_t length = 0;
            switch (header) {
            case ip_proto_tcp: return tcp(reader, remaining_length);
            case 50: return {DecodeReason::ipv6_esp, at, "ipv6.esp"};
            case 0:     // hop-by-hop options
            case 43:    // routing
            case 60:    // destination options
            case 135:   // mobility
            case 139:   // HIP
            case 140: {  // shim6
                auto following = reader.u8();
                auto units = reader.u8();
                if (!following || !units) {
                    return short_read(DecodeReason::truncated_ipv6_extension, reader, "ipv6.extension");
                }
                header = *following;
                length = (static_cast<std::size_t>(*units) + 1) * 8;
                break;
            }
            case 51: {  // authentication header counts 4-byte units minus 2
                auto following = reader.u8();
                auto units = reader.u8();
                if (!following || !units) {
                    return short_read(DecodeReason::truncated_ipv6_extension, reader, "ipv6.ah");
                }
                header = *following;
                length = (static_cast<std::size_t>(*units) + 2) * 4;
                break;
            }
            case 44: {  // fragment
                auto following = reader.u8();
                const bool reserved = reader.skip(1);
                auto offset_flags = reader.u16();
                if (!following || !reserved || !offset_flags) {
                    return short_read(DecodeReason::truncated_ipv6_extension, reader, "ipv6.fragment");
                }
                // A non-zero offset or the more-fragments bit; an atomic fragment is whole.
                if ((*offset_flags & 0xfff9U) != 0) {
                    return {DecodeReason::ip_fragment, at, "ipv6.fragment"};
                }
                header = *following;
                length = 8;
                break;
            }
            default: return {DecodeReason::not_tcp, at, "ipv6.next_header"};
            }
            if (length > remaining_length) {
                return {DecodeReason::bad_ipv6_payload_length, at, "ipv6.extension_length"};
            }
            if (!reader.skip(length - (reader.offset() - at))) {
                return short_read(DecodeReason::truncated_ipv6_extension, reader, "ipv6.extension");
            }
            remaining_length -= length;
        }
    }

    DecodeResult tcp(ByteReader& reader, std::size_t segment_length)
    {
        const std::size_t start = reader.offset();
        // The captured part of the segment; the frame may carry link padding after it.
        ByteReader segment(reader.rest().first(std::min(reader.remaining(), segment_length)), start);
        auto src_port = segment.u16();
        auto dst_port = segment.u16();
        auto seq = segment.u32();
        auto ack = segment.u32();
        auto offset_flags = segment.u16();
        auto window = segment.u16();
        const bool checksum_urgent = segment.skip(4);
        if (!src_port || !dst_port || !seq || !ack || !offset_flags || !window || !checksum_urgent) {
            return short_read(DecodeReason::truncated_tcp_header, segment, "tcp.header");
        }
        const std::size_t header_length = (*offset_flags >> 12U) * 4U;
        if (header_length < 20 || header_length > segment_length) {
            return {DecodeReason::bad_tcp_data_offset, start + 12, "tcp.data_offset"};
        }
        auto options = segment.sub(header_length - 20);
        if (!options) {
            return short_read(DecodeReason::truncated_tcp_header, segment, "tcp.options");
        }
        packet_.options = {};
        if (auto result = tcp_options(*options); !result.ok()) {
            return result;
        }
        packet_.src_port = *src_port;
        packet_.dst_port = *dst_port;
        packet_.seq = *seq;
        packet_.ack = *ack;
        packet_.flags = static_cast<std::uint8_t>(*offset_flags & 0xffU);
        packet_.window = *window;
        packet_.payload = segment.rest();
        packet_.payload_length = static_cast<std::uint32_t>(segment_length - header_length);
        packet_.truncated = packet_.payload.size() < packet_.payload_length;
        return {};
    }

    DecodeResult tcp_options(ByteReader options)
    {
        while (!options.empty()) {
            const std::size_t at = options.offset();
            auto kind = options.u8();
            if (!kind || *kind == 0) {
                break;  // end of option list
            }
            if (*kind == 1) {
                continue;  // no-operation padding
            }
            auto length = options.u8();
            if (!length || *length < 2) {
                return {DecodeReason::bad_tcp_option, at, "tcp.option.length"};
            }
            auto body = options.sub(*length - 2U);
            if (!body) {
                return {DecodeReason::bad_tcp_option, at, "tcp.option.length"};
            }
            if (!tcp_option(*kind, *body)) {
                return {DecodeReason::bad_tcp_option, at, "tcp.option.value"};
            }
        }
        return {};
    }

    bool tcp_option(std::uint8_t kind, ByteReader body)
    {
        auto& o = packet_.options;
        switch (kind) {
        case 2: o.mss = body.u16(); return o.mss.has_value() && body.empty();
        case 3: o.window_scale = body.u8(); return o.window_scale.has_value() && body.empty();
        case 4: o.sack_permitted = true; return body.empty();
        case 5:
            o.sack_blocks = static_cast<std::uint8_t>(body.remaining() / 8);
            return body.remaining() % 8 == 0;
        case 8:
            o.tsval = body.u32();
            o.tsecr = body.u32();
            return o.tsecr.has_value() && body.empty();
        default: return true;  // options we do not use are skipped by length
        }
    }

    std::span<const std::byte> frame_;
    bool cut_;
    TcpPacket& packet_;
};

}  // namespace

DecodeResult decode_frame(LinkType link, std::span<const std::byte> frame, std::uint32_t wire_length, TcpPacket& packet)
{
    packet.src_mac.reset();
    packet.dst_mac.reset();
    packet.payload = {};
    packet.payload_length = 0;
    packet.truncated = false;
    return FrameDecoder(frame, wire_length, packet).run(link);
}

}  // namespace tlsprobe::capture
