#include "capture/tls_hello.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "capture/byte_reader.hpp"
#include "core/hex.hpp"

namespace tlsprobe::capture {

namespace {

constexpr std::uint16_t ext_server_name = 0;
constexpr std::uint16_t ext_supported_groups = 10;
constexpr std::uint16_t ext_alpn = 16;
constexpr std::uint16_t ext_supported_versions = 43;

// SHA-256 of "HelloRetryRequest", RFC 8446 4.1.3.
constexpr std::array<std::uint8_t, 32> hello_retry_random{
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

template <typename T>
Parsed<T> failed(const ByteReader& at, std::string_view field)
{
    return {std::nullopt, {at.offset(), field}};
}

// A host name or ALPN protocol as printable ASCII: any other byte (and the
// backslash) as \xHH, so a name from the wire is always valid text in
// JSON and in the terminal, and distinct names stay distinct.
std::string as_text(std::span<const std::byte> bytes)
{
    std::string text;
    text.reserve(bytes.size());
    for (const std::byte b : bytes) {
        const auto c = std::to_integer<unsigned char>(b);
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            text.push_back(static_cast<char>(c));
        } else {
            text += fmt::format("\\x{:02x}", c);
        }
    }
    return text;
}

// A list of 16-bit values filling the whole reader.
bool read_u16_list(ByteReader list, std::vector<std::uint16_t>& out)
{
    if (list.remaining() % 2 != 0) {
        return false;
    }
    out.reserve(list.remaining() / 2);
    while (!list.empty()) {
        out.push_back(*list.u16());
    }
    return true;
}

bool read_server_name(ByteReader ext, std::string& sni)
{
    auto list = ext.sub_u16();
    if (!list) {
        return false;
    }
    while (!list->empty()) {
        auto type = list->u8();
        auto name = list->sub_u16();
        if (!type || !name) {
            return false;
        }
        if (*type == 0 && sni.empty()) {
            sni = as_text(name->rest());
        }
    }
    return true;
}

bool read_alpn(ByteReader ext, std::vector<std::string>& alpn)
{
    auto list = ext.sub_u16();
    if (!list) {
        return false;
    }
    while (!list->empty()) {
        auto name = list->sub_u8();
        if (!name) {
            return false;
        }
        alpn.push_back(as_text(name->rest()));
    }
    return true;
}

}  // namespace

Parsed<ClientHello> parse_client_hello(std::span<const std::byte> body)
{
    ByteReader r(body);
    ClientHello hello;
    auto version = r.u16();
    if (!version) {
        return failed<ClientHello>(r, "client_hello.legacy_version");
    }
    hello.legacy_version = *version;
    if (!r.copy_into(hello.random)) {
        return failed<ClientHello>(r, "client_hello.random");
    }
    if (!r.sub_u8()) {
        return failed<ClientHello>(r, "client_hello.session_id");
    }
    auto suites = r.sub_u16();
    if (!suites || !read_u16_list(*suites, hello.cipher_suites)) {
        return failed<ClientHello>(r, "client_hello.cipher_suites");
    }
    if (!r.sub_u8()) {
        return failed<ClientHello>(r, "client_hello.compression_methods");
    }
    if (r.empty()) {
        return {std::move(hello), {}};  // no extensions: a pre-TLS 1.2 style hello
    }
    auto extensions = r.sub_u16();
    if (!extensions) {
        return failed<ClientHello>(r, "client_hello.extensions");
    }
    while (!extensions->empty()) {
        auto type = extensions->u16();
        auto data = extensions->sub_u16();
        if (!type || !data) {
            return failed<ClientHello>(*extensions, "client_hello.extension");
        }
        bool ok = true;
        switch (*type) {
        case ext_server_name: ok = read_server_name(*data, hello.sni); break;
        case ext_supported_groups: {
            auto list = data->sub_u16();
            ok = list && read_u16_list(*list, hello.groups);
            break;
        }
        case ext_supported_versions: {
            auto list = data->sub_u8();
            ok = list && read_u16_list(*list, hello.supported_versions);
            break;
        }
        case ext_alpn: ok = read_alpn(*data, hello.alpn); break;
        default: break;
        }
        if (!ok) {
            return failed<ClientHello>(*data, "client_hello.extension_body");
        }
    }
    return {std::move(hello), {}};
}

Parsed<ServerHello> parse_server_hello(std::span<const std::byte> body)
{
    ByteReader r(body);
    ServerHello hello;
    auto version = r.u16();
    if (!version) {
        return failed<ServerHello>(r, "server_hello.legacy_version");
    }
    hello.legacy_version = *version;
    if (!r.copy_into(hello.random)) {
        return failed<ServerHello>(r, "server_hello.random");
    }
    hello.hello_retry_request = std::equal(hello.random.begin(), hello.random.end(), hello_retry_random.begin(),
                                           [](std::byte a, std::uint8_t b) { return std::to_integer<std::uint8_t>(a) == b; });
    if (!r.sub_u8()) {
        return failed<ServerHello>(r, "server_hello.session_id");
    }
    auto suite = r.u16();
    if (!suite) {
        return failed<ServerHello>(r, "server_hello.cipher_suite");
    }
    hello.cipher_suite = *suite;
    if (!r.u8()) {
        return failed<ServerHello>(r, "server_hello.compression_method");
    }
    if (r.empty()) {
        return {hello, {}};
    }
    auto extensions = r.sub_u16();
    if (!extensions) {
        return failed<ServerHello>(r, "server_hello.extensions");
    }
    while (!extensions->empty()) {
        auto type = extensions->u16();
        auto data = extensions->sub_u16();
        if (!type || !data) {
            return failed<ServerHello>(*extensions, "server_hello.extension");
        }
        if (*type == ext_supported_versions) {
            hello.selected_version = data->u16();
            if (!hello.selected_version) {
                return failed<ServerHello>(*data, "server_hello.supported_versions");
            }
        }
    }
    return {hello, {}};
}

std::string tls_version_name(std::uint16_t version)
{
    switch (version) {
    case 0x0300: return "SSLv3";
    case 0x0301: return "TLSv1.0";
    case 0x0302: return "TLSv1.1";
    case 0x0303: return "TLSv1.2";
    case 0x0304: return "TLSv1.3";
    default: break;
    }
    // RFC 8701 GREASE values are 0x?a?a with equal bytes.
    if ((version & 0x0f0fU) == 0x0a0aU && (version >> 8U) == (version & 0xffU)) {
        return "grease";
    }
    return code_point(version);
}

std::string code_point(std::uint16_t value)
{
    // Built in place: short enough for the string's own storage, no allocation.
    using core::hex_digits;
    const unsigned v = value;
    return {'0', 'x', hex_digits[v >> 12U], hex_digits[(v >> 8U) & 0x0fU], hex_digits[(v >> 4U) & 0x0fU],
            hex_digits[v & 0x0fU]};
}

}  // namespace tlsprobe::capture
