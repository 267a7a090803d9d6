#pragma once
// The client side's TLS configuration, built once per run from the options,
// and the per-connection SSL objects made from it. One object serves every
// worker thread of a run; it does not move (OpenSSL holds pointers to its
// members).
#include <cstdint>
#include <string>
#include <vector>

#include "prober/openssl_handles.hpp"
#include "prober/verified_chain_cache.hpp"
#include "scenarios/run_plan.hpp"

namespace tlsprobe::prober {

// What OpenSSL's message callback reports about one connection.
struct TlsMessages {
    std::uint32_t client_hello_bytes = 0;   // handshake message, header included
    int alert_received = -1;                // alert description, -1 when none
    int alert_sent = -1;
    // A handshake message, alert or ChangeCipherSpec from the server parsed
    // as TLS: when false after server bytes arrived, the peer does not speak TLS.
    bool server_spoke_tls = false;
    // SHA-256 (hex) of the leaf certificate's DER as the server's Certificate
    // message carried it; empty when no such message came (a resumed session).
    std::string server_cert_sha256;
};

class ClientTls {
public:
    // `host` is the target as the user wrote it: a name becomes SNI and the
    // name checked in the certificate, an address literal is checked as an
    // IP subjectAltName and sends no SNI (RFC 6066 forbids literals).
    // Throws core::UsageError naming the field for a groups/ciphers/ALPN/CA list
    // OpenSSL rejects.
    ClientTls(const scenarios::TlsOptions& options, std::string host);

    // A fresh SSL in client mode reporting to `messages`, resuming `session` when given.
    [[nodiscard]] SslPtr new_connection(TlsMessages& messages, SSL_SESSION* session) const;

    [[nodiscard]] const std::string& server_name() const { return server_name_; }

private:
    void configure_padding(std::uint32_t target_bytes);

    // Declared before the SSL_CTX that calls it, so it outlives it. Shared
    // by every worker thread, as the SSL_CTX is.
    VerifiedChainCache verified_chains_;
    SslCtxPtr context_;
    std::string server_name_;         // SNI and certificate name; empty for an address literal
    std::string address_literal_;     // certificate IP to check; empty for a name
    bool verify_;
    std::vector<unsigned char> padding_;   // body of the padding extension, zeros
};

}  // namespace tlsprobe::prober
