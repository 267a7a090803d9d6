#pragma once
// Builds frames byte by byte for the capture tests: link headers, IPv4/IPv6,
// TCP with options, TLS records and hellos. Deliberately independent of the
// decoder so a test states the wire format it expects.
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "capture/packet.hpp"
#include "core/hex.hpp"

namespace tlsprobe::capture::test {

using Bytes = std::vector<std::byte>;

inline void put8(Bytes& b, unsigned v)
{
    b.push_back(static_cast<std::byte>(v & 0xffU));
}
inline void put16(Bytes& b, unsigned v)
{
    put8(b, v >> 8U);
    put8(b, v);
}
inline void put24(Bytes& b, unsigned v)
{
    put8(b, v >> 16U);
    put16(b, v);
}
inline void put32(Bytes& b, std::uint32_t v)
{
    put16(b, v >> 16U);
    put16(b, v);
}
inline void append(Bytes& b, const Bytes& more)
{
    b.insert(b.end(), more.begin(), more.end());
}
inline Bytes bytes_of(std::initializer_list<unsigned> values)
{
    Bytes b;
    for (const unsigned v : values) {
        put8(b, v);
    }
    return b;
}
inline Bytes text(std::string_view s)
{
    Bytes b;
    for (const char c : s) {
        put8(b, static_cast<unsigned char>(c));
    }
    return b;
}
inline Bytes filled(std::size_t n, unsigned value)
{
    return Bytes(n, static_cast<std::byte>(value));
}

inline IpAddress ipv4_address(unsigned a, unsigned b, unsigned c, unsigned d)
{
    IpAddress ip;
    ip.version = 4;
    ip.bytes[0] = static_cast<std::byte>(a);
    ip.bytes[1] = static_cast<std::byte>(b);
    ip.bytes[2] = static_cast<std::byte>(c);
    ip.bytes[3] = static_cast<std::byte>(d);
    return ip;
}

// 2001:db8::<last>
inline IpAddress ipv6_address(unsigned last)
{
    IpAddress ip;
    ip.version = 6;
    ip.bytes[0] = std::byte{0x20};
    ip.bytes[1] = std::byte{0x01};
    ip.bytes[2] = std::byte{0x0d};
    ip.bytes[3] = std::byte{0xb8};
    ip.bytes[15] = static_cast<std::byte>(last);
    return ip;
}

inline MacAddress mac(unsigned last)
{
    return {std::byte{0x02}, std::byte{0}, std::byte{0}, std::byte{0}, std::byte{0}, static_cast<std::byte>(last)};
}

struct TcpSpec {
    std::uint16_t src_port = 0;
    std::uint16_t dst_port = 0;
    std::uint32_t seq = 0;
    std::uint32_t ack = 0;
    std::uint8_t flags = 0;
    Bytes options;  // already padded to a multiple of 4
    Bytes payload;
};

inline Bytes tcp_segment(const TcpSpec& s)
{
    Bytes b;
    put16(b, s.src_port);
    put16(b, s.dst_port);
    put32(b, s.seq);
    put32(b, s.ack);
    const auto words = static_cast<unsigned>((20 + s.options.size()) / 4);
    put16(b, (words << 12U) | s.flags);
    put16(b, 65535);  // window
    put32(b, 0);      // checksum, urgent pointer
    append(b, s.options);
    append(b, s.payload);
    return b;
}

// MSS 1460, SACK permitted, timestamps, NOP, window scale 7.
inline Bytes syn_options(std::uint32_t tsval, std::uint32_t tsecr)
{
    Bytes b = bytes_of({2, 4, 0x05, 0xb4, 4, 2, 8, 10});
    put32(b, tsval);
    put32(b, tsecr);
    append(b, bytes_of({1, 3, 3, 7}));
    return b;
}

inline Bytes ipv4_packet(const IpAddress& src, const IpAddress& dst, const Bytes& l4, unsigned ttl = 64,
                         unsigned id = 1, unsigned protocol = 6, unsigned fragment = 0, const Bytes& options = {})
{
    Bytes b;
    put8(b, 0x40U | static_cast<unsigned>((20 + options.size()) / 4));
    put8(b, 0);
    put16(b, static_cast<unsigned>(20 + options.size() + l4.size()));
    put16(b, id);
    put16(b, fragment);
    put8(b, ttl);
    put8(b, protocol);
    put16(b, 0);
    b.insert(b.end(), src.bytes.begin(), src.bytes.begin() + 4);
    b.insert(b.end(), dst.bytes.begin(), dst.bytes.begin() + 4);
    append(b, options);
    append(b, l4);
    return b;
}

// `extensions`: chain of (next header value, body) placed before TCP; each
// body must already include its own next-header/length bytes' room (we fill them).
struct Ipv6Extension {
    unsigned type = 0;
    Bytes body;  // without the 2-byte next/length prefix, length such that total is a multiple of 8
};

inline Bytes ipv6_packet(const IpAddress& src, const IpAddress& dst, const Bytes& l4,
                         const std::vector<Ipv6Extension>& extensions = {}, unsigned hop_limit = 64)
{
    Bytes chain;
    for (std::size_t i = 0; i < extensions.size(); ++i) {
        const unsigned next = i + 1 < extensions.size() ? extensions[i + 1].type : 6U;
        put8(chain, next);
        const std::size_t total = 2 + extensions[i].body.size();
        put8(chain, extensions[i].type == 44 ? 0U : static_cast<unsigned>(total / 8 - 1));
        append(chain, extensions[i].body);
    }
    Bytes b;
    put32(b, 0x60000000U);
    put16(b, static_cast<unsigned>(chain.size() + l4.size()));
    put8(b, extensions.empty() ? 6U : extensions.front().type);
    put8(b, hop_limit);
    b.insert(b.end(), src.bytes.begin(), src.bytes.end());
    b.insert(b.end(), dst.bytes.begin(), dst.bytes.end());
    append(b, chain);
    append(b, l4);
    return b;
}

inline Bytes ethernet_frame(const MacAddress& dst, const MacAddress& src, unsigned ethertype, const Bytes& payload,
                            std::initializer_list<unsigned> vlan_tpids = {})
{
    Bytes b(dst.begin(), dst.end());
    b.insert(b.end(), src.begin(), src.end());
    unsigned vid = 100;
    for (const unsigned tpid : vlan_tpids) {
        put16(b, tpid);
        put16(b, vid++);
    }
    put16(b, ethertype);
    append(b, payload);
    return b;
}

inline Bytes sll_frame(const MacAddress& sender, unsigned protocol, const Bytes& payload)
{
    Bytes b;
    put16(b, 4);  // sent by us
    put16(b, 1);  // ARPHRD_ETHER
    put16(b, 6);
    b.insert(b.end(), sender.begin(), sender.end());
    put16(b, 0);  // address padding to 8 bytes
    put16(b, protocol);
    append(b, payload);
    return b;
}

inline Bytes sll2_frame(const MacAddress& sender, unsigned protocol, const Bytes& payload)
{
    Bytes b;
    put16(b, protocol);
    put16(b, 0);
    put32(b, 1);  // interface index
    put16(b, 1);  // ARPHRD_ETHER
    put8(b, 0);   // to us
    put8(b, 6);
    b.insert(b.end(), sender.begin(), sender.end());
    put16(b, 0);
    append(b, payload);
    return b;
}

// ---- TLS ----

inline Bytes tls_record(unsigned type, const Bytes& body, unsigned version = 0x0303)
{
    Bytes b;
    put8(b, type);
    put16(b, version);
    put16(b, static_cast<unsigned>(body.size()));
    append(b, body);
    return b;
}

inline Bytes handshake_message(unsigned type, const Bytes& body)
{
    Bytes b;
    put8(b, type);
    put24(b, static_cast<unsigned>(body.size()));
    append(b, body);
    return b;
}

inline Bytes extension(unsigned type, const Bytes& data)
{
    Bytes b;
    put16(b, type);
    put16(b, static_cast<unsigned>(data.size()));
    append(b, data);
    return b;
}

struct ClientHelloSpec {
    std::array<unsigned char, 32> random{};
    std::string_view sni = "probe.example";
    std::vector<unsigned> versions{0x0304, 0x0303};
    std::vector<unsigned> suites{0x1301, 0x1302, 0xc02f};
    std::vector<unsigned> groups{0x001d, 0x0017};
    std::size_t padding = 0;  // bytes of a padding extension, to make a large hello
};

inline Bytes client_hello_body(const ClientHelloSpec& spec)
{
    Bytes b;
    put16(b, 0x0303);
    for (const auto r : spec.random) {
        put8(b, r);
    }
    put8(b, 0);  // session id
    put16(b, static_cast<unsigned>(spec.suites.size() * 2));
    for (const auto s : spec.suites) {
        put16(b, s);
    }
    append(b, bytes_of({1, 0}));  // compression: null
    Bytes ext;
    Bytes name;
    put8(name, 0);
    put16(name, static_cast<unsigned>(spec.sni.size()));
    append(name, text(spec.sni));
    Bytes list;
    put16(list, static_cast<unsigned>(name.size()));
    append(list, name);
    append(ext, extension(0, list));
    Bytes groups;
    put16(groups, static_cast<unsigned>(spec.groups.size() * 2));
    for (const auto g : spec.groups) {
        put16(groups, g);
    }
    append(ext, extension(10, groups));
    Bytes versions;
    put8(versions, static_cast<unsigned>(spec.versions.size() * 2));
    for (const auto v : spec.versions) {
        put16(versions, v);
    }
    append(ext, extension(43, versions));
    if (spec.padding > 0) {
        append(ext, extension(21, filled(spec.padding, 0)));
    }
    put16(b, static_cast<unsigned>(ext.size()));
    append(b, ext);
    return b;
}

// A ClientHello in one handshake record.
inline Bytes client_hello_record(const ClientHelloSpec& spec)
{
    return tls_record(22, handshake_message(1, client_hello_body(spec)), 0x0301);
}

inline Bytes server_hello_record(const std::array<unsigned char, 32>& random, unsigned suite = 0x1301,
                                 unsigned version = 0x0304)
{
    Bytes b;
    put16(b, 0x0303);
    for (const auto r : random) {
        put8(b, r);
    }
    put8(b, 0);
    put16(b, suite);
    put8(b, 0);
    Bytes ext;
    if (version == 0x0304) {
        Bytes v;
        put16(v, 0x0304);
        append(ext, extension(43, v));
    }
    put16(b, static_cast<unsigned>(ext.size()));
    append(b, ext);
    return tls_record(22, handshake_message(2, b));
}

inline std::array<unsigned char, 32> random_of(unsigned seed)
{
    std::array<unsigned char, 32> r{};
    for (std::size_t i = 0; i < r.size(); ++i) {
        r[i] = static_cast<unsigned char>(seed + i);
    }
    return r;
}

inline std::string random_hex(unsigned seed)
{
    return core::to_hex(random_of(seed));
}

}  // namespace tlsprobe::capture::test
