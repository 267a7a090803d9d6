#pragma once
// ClientHello and ServerHello bodies (RFC 8446 4.1.2/4.1.3, RFC 5246 7.4.1),
// parsed with the bounds-checked reader. A failure names the field and its
// offset inside the handshake message body.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tlsprobe::capture {

using TlsRandom = std::array<std::byte, 32>;

struct ClientHello {
    std::uint16_t legacy_version = 0;
    TlsRandom random{};
    std::string sni;
    // From supported_versions (TLS 1.3 clients); empty when the client sent none.
    std::vector<std::uint16_t> supported_versions;
    std::vector<std::uint16_t> cipher_suites;
    std::vector<std::uint16_t> groups;
    std::vector<std::string> alpn;
};

struct ServerHello {
    std::uint16_t legacy_version = 0;
    TlsRandom random{};
    std::uint16_t cipher_suite = 0;
    // supported_versions in a TLS 1.3 ServerHello.
    std::optional<std::uint16_t> selected_version;
    // RFC 8446 4.1.3: a ServerHello with this special random is a HelloRetryRequest.
    bool hello_retry_request = false;

    [[nodiscard]] std::uint16_t version() const { return selected_version.value_or(legacy_version); }
};

struct TlsParseError {
    std::size_t offset = 0;
    std::string_view field;
};

template <typename T>
struct Parsed {
    std::optional<T> value;
    TlsParseError error;
};

// `body` is the handshake message without its 4-byte type/length header.
[[nodiscard]] Parsed<ClientHello> parse_client_hello(std::span<const std::byte> body);
[[nodiscard]] Parsed<ServerHello> parse_server_hello(std::span<const std::byte> body);

// "TLSv1.3", "TLSv1.2", ..., "grease" for RFC 8701 values, else "0x7f17".
[[nodiscard]] std::string tls_version_name(std::uint16_t version);
// A 16-bit code point as Wireshark shows it: "0x1301".
[[nodiscard]] std::string code_point(std::uint16_t value);

}  // namespace tlsprobe::capture
