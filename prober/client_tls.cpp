#include "prober/client_tls.hpp"

#include <boost/asio/ip/address.hpp>
#include <fmt/format.h>

#include <span>
#include <string_view>

#include "core/errors.hpp"
#include "core/sha256.hpp"

namespace tlsprobe::prober {
namespace {


// A private-use ExtensionType (RFC 8446 section 11: 0xFF00-0xFFFF, except
// 0xFF01 renegotiation_info). OpenSSL keeps the real padding extension (21)
// for itself, and servers must ignore extensions they do not know.
constexpr unsigned int padding_extension_type = 0xFFA5;

std::size_t uint24_at(std::span<const unsigned char> bytes, std::size_t at)
{
    return std::size_t{bytes[at]} << 16 | std::size_t{bytes[at + 1]} << 8 | std::size_t{bytes[at + 2]};
}

// The first certificate (the leaf) of a Certificate handshake message: a
// 4-byte message header, in TLS 1.3 a certificate_request_context
// (RFC 8446 section 4.4.2), the list's 24-bit length, then the leaf's 24-bit
// length and DER (RFC 5246 section 7.4.2). Empty when the message is too
// short for what its lengths say; OpenSSL then fails the handshake itself.
std::string_view leaf_certificate(std::span<const unsigned char> message, bool tls13)
{
    std::size_t at = 4;
    if (tls13) {
        if (message.size() <= at) {
            return {};
        }
        at += 1 + std::size_t{message[at]};
    }
    at += 3;
    if (message.size() < at + 3) {
        return {};
    }
    const std::size_t size = uint24_at(message, at);
    at += 3;
    if (message.size() - at < size) {
        return {};
    }
    return {reinterpret_cast<const char*>(message.data() + at), size};
}

void observe_message(int write_p, int /*version*/, int content_type, const void* buf, std::size_t len,
                     SSL* ssl, void* arg)
{
    auto& messages = *static_cast<TlsMessages*>(arg);
    const auto* bytes = static_cast<const unsigned char*>(buf);
    // Record headers (SSL3_RT_HEADER) are reported before OpenSSL checks them, so they prove nothing.
    if (write_p == 0 && (content_type == SSL3_RT_HANDSHAKE || content_type == SSL3_RT_ALERT ||
                         content_type == SSL3_RT_CHANGE_CIPHER_SPEC)) {
        messages.server_spoke_tls = true;
    }
    if (content_type == SSL3_RT_HANDSHAKE && len > 0 && write_p == 1 && bytes[0] == SSL3_MT_CLIENT_HELLO) {
        messages.client_hello_bytes = static_cast<std::uint32_t>(len);
    } else if (content_type == SSL3_RT_HANDSHAKE && len > 0 && write_p == 0 && bytes[0] == SSL3_MT_CERTIFICATE) {
        // Hashed once, here, from the bytes the server sent: nothing re-encodes the certificate later.
        const auto leaf = leaf_certificate(std::span(bytes, len), SSL_version(ssl) == TLS1_3_VERSION);
        if (!leaf.empty()) {
            messages.server_cert_sha256 = core::sha256_hex(leaf);
        }
    } else if (content_type == SSL3_RT_ALERT && len >= 2) {
        (write_p == 1 ? messages.alert_sent : messages.alert_received) = bytes[1];
    }
}

int accept_unverified(X509_STORE_CTX* /*store*/, void* /*arg*/)
{
    return 1;
}

int add_padding(SSL* /*ssl*/, unsigned int /*type*/, unsigned int /*context*/, const unsigned char** out,
                std::size_t* outlen, X509* /*x*/, std::size_t /*chainidx*/, int* /*al*/, void* add_arg)
{
    const auto& padding = *static_cast<const std::vector<unsigned char>*>(add_arg);
    *out = padding.data();
    *outlen = padding.size();
    return 1;
}

std::vector<unsigned char> alpn_wire_format(const std::vector<std::string>& protocols)
{
    std::vector<unsigned char> wire;
    for (const auto& protocol : protocols) {
        if (protocol.empty() || protocol.size() > 255) {
            throw core::UsageError("alpn", ": protocol \"" + protocol + "\" must be 1-255 bytes");
        }
        wire.push_back(static_cast<unsigned char>(protocol.size()));
        wire.insert(wire.end(), protocol.begin(), protocol.end());
    }
    return wire;
}

// Splits "TLS_AES_128_GCM_SHA256:ECDHE-ECDSA-AES128-GCM-SHA256" into the
// TLS 1.3 suites (OpenSSL configures them separately) and the TLS 1.2 list.
std::pair<std::string, std::string> split_ciphers(std::string_view list)
{
    std::string tls13;
    std::string tls12;
    while (!list.empty()) {
        const auto colon = list.find(':');
        const auto name = list.substr(0, colon);
        auto& into = name.starts_with("TLS_") ? tls13 : tls12;
        if (!name.empty()) {
            into += (into.empty() ? "" : ":") + std::string(name);
        }
        list = colon == std::string_view::npos ? std::string_view{} : list.substr(colon + 1);
    }
    return {tls13, tls12};
}

// A list naming suites of one version only would leave the other version at
// OpenSSL's default list: offer only the version the list names instead.
scenarios::TlsVersion version_for_ciphers(std::string_view list, scenarios::TlsVersion requested)
{
    const auto [tls13, tls12] = split_ciphers(list);
    if (tls12.empty() != tls13.empty()) {
        const auto only = tls12.empty() ? scenarios::TlsVersion::tls13 : scenarios::TlsVersion::tls12;
        if (requested != scenarios::TlsVersion::any && requested != only) {
            throw core::UsageError("ciphers", fmt::format(" names only TLS {} suites, but `tls_version` is {}",
                                                          scenarios::to_string(only), scenarios::to_string(requested)));
        }
        return only;
    }
    return requested;
}

}  // namespace

ClientTls::ClientTls(const scenarios::TlsOptions& options, std::string host)
    : context_(SSL_CTX_new(TLS_client_method())), verify_(options.verify)
{
    SSL_CTX* ctx = context_.get();
    boost::system::error_code ec;
    boost::asio::ip::make_address(host, ec);
    (ec ? server_name_ : address_literal_) = std::move(host);
    if (!options.sni.empty()) {
        server_name_ = options.sni;
    }

    auto version = options.version;
    if (!options.ciphers.empty()) {
        version = version_for_ciphers(options.ciphers, version);
    }
    SSL_CTX_set_min_proto_version(ctx, version == scenarios::TlsVersion::tls13 ? TLS1_3_VERSION : TLS1_2_VERSION);
    SSL_CTX_set_max_proto_version(ctx, version == scenarios::TlsVersion::tls12 ? TLS1_2_VERSION : TLS1_3_VERSION);
    // Idle connections give their 16 KiB read/write buffers back (memory per held connection).
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    if (!options.groups.empty() && SSL_CTX_set1_groups_list(ctx, options.groups.c_str()) != 1) {
        throw core::UsageError("groups", ": OpenSSL rejects \"" + options.groups + "\": " + openssl_errors());
    }
    if (!options.ciphers.empty()) {
        const auto [tls13, tls12] = split_ciphers(options.ciphers);
        if ((!tls13.empty() && SSL_CTX_set_ciphersuites(ctx, tls13.c_str()) != 1) ||
            (!tls12.empty() && SSL_CTX_set_cipher_list(ctx, tls12.c_str()) != 1)) {
            throw core::UsageError("ciphers", ": OpenSSL rejects \"" + options.ciphers + "\": " + openssl_errors());
        }
    }
    if (!options.alpn.empty()) {
        const auto wire = alpn_wire_format(options.alpn);
        SSL_CTX_set_alpn_protos(ctx, wire.data(), static_cast<unsigned int>(wire.size()));
    }
    if (!verify_) {
        // With SSL_VERIFY_NONE OpenSSL still builds and checks the chain (and
        // only then ignores the result); this callback stands in for
        // X509_verify_cert, so an unverified handshake does none of that work
        // and its verify result stays X509_V_OK.
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
        SSL_CTX_set_cert_verify_callback(ctx, accept_unverified, nullptr);
    } else {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
        // Every probe of a run is sent the same chain, or one of a few: each
        // is verified once and its answer reused while it holds
        // (verified_chain_cache.hpp says why that answer is the same).
        SSL_CTX_set_cert_verify_callback(ctx, VerifiedChainCache::verify_callback, &verified_chains_);
        const bool loaded = options.ca_file ? SSL_CTX_load_verify_file(ctx, options.ca_file->c_str()) == 1
                                            : SSL_CTX_set_default_verify_paths(ctx) == 1;
        if (!loaded) {
            throw core::UsageError("ca_file", ": cannot load CA certificates: " + openssl_errors());
        }
    }
    if (options.pad_client_hello != 0) {
        configure_padding(options.pad_client_hello);
    }
}

SslPtr ClientTls::new_connection(TlsMessages& messages, SSL_SESSION* session) const
{
    SslPtr ssl(SSL_new(context_.get()));
    SSL_set_connect_state(ssl.get());
    if (!server_name_.empty()) {
        // SSL_set_tlsext_host_name is a macro with a C cast; this is what it expands to.
        SSL_ctrl(ssl.get(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(server_name_.c_str()));
    }
    if (verify_) {
        if (!server_name_.empty()) {
            SSL_set1_host(ssl.get(), server_name_.c_str());
        } else {
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()), address_literal_.c_str());
        }
    }
    if (session != nullptr) {
        SSL_set_session(ssl.get(), session);
    }
    SSL_set_msg_callback(ssl.get(), observe_message);
    SSL_set_msg_callback_arg(ssl.get(), &messages);
    return ssl;
}

// The extension body is sized once: build one ClientHello without it, then
// add what is missing to reach the target (4 bytes go to the extension's own
// header). Every full handshake of the run then sends the same size; a
// resumed one is larger by its PSK extension.
void ClientTls::configure_padding(std::uint32_t target_bytes)
{
    TlsMessages messages;
    SslPtr probe = new_connection(messages, nullptr);
    BIO* internal = nullptr;
    BIO* network = nullptr;
    BIO_new_bio_pair(&internal, 0, &network, 0);
    SSL_set_bio(probe.get(), internal, internal);
    SSL_do_handshake(probe.get());
    BIO_free(network);
    const std::uint32_t unpadded = messages.client_hello_bytes;
    if (unpadded + 4 > target_bytes) {
        throw core::UsageError("pad_client_hello", ": the ClientHello is already " + std::to_string(unpadded) +
                                                       " bytes; ask for at least " + std::to_string(unpadded + 4));
    }
    padding_.assign(target_bytes - unpadded - 4, 0);
    SSL_CTX_add_custom_ext(context_.get(), padding_extension_type, SSL_EXT_CLIENT_HELLO, add_padding, nullptr,
                           &padding_, nullptr, nullptr);
}

}  // namespace tlsprobe::prober
