#pragma once
// Certificate chain verification answered from memory when the same chain
// comes again: every probe of a run is sent the same certificates (or one of
// a few sets, behind a load balancer), and X509_verify_cert costs about 80 µs
// of a full handshake (building the chain, the CA's ECDSA signature on the
// leaf). Installed with SSL_CTX_set_cert_verify_callback by ClientTls, one
// cache per SSL_CTX.
//
// Why a stored answer is the answer X509_verify_cert would give now: its
// result depends on
// - the certificates the server sent: the key holds the exact DER of the
//   leaf and of every untrusted certificate, in order (the bytes themselves,
//   not a digest, so no collision is relied on);
// - the trust store: the SSL_CTX's, set once when ClientTls is built (the
//   cache lives and dies with that SSL_CTX); a system store's directory is
//   read as certificates are needed, so a CA added to it during a run counts
//   only for chains first verified after;
// - the verification parameters: those an SSL can change (host names,
//   IP address, e-mail, host-check flags, verification flags, depth, the
//   security level as auth level) are in the key; purpose and trust are
//   libssl's "ssl_server" defaults for every connection;
// - the time: an answer is used only while the verification time lies in
//   every certificate's validity of the chain that was built (from the
//   latest notBefore to the earliest notAfter), where each time check
//   X509_verify_cert makes comes out as it did; an answer whose chain is out
//   of that window (an expired certificate) is never stored.
// ClientTls sets no per-certificate verify callback (SSL_set_verify's), no
// DANE, no CRL checks and no per-connection trust store, which would each
// decide results outside the key.
//
// What verification does not cover stays per handshake: libssl checks the
// TLS 1.3 CertificateVerify (TLS 1.2: the ServerKeyExchange signature)
// against the leaf's key after this callback, so a server that replays a
// known chain without its private key still fails.
//
// On a stored answer the store context gets the stored error and chain, which
// is all libssl reads from it (SSL_get_verify_result, SSL_get0_verified_chain);
// SSL_get0_peername (the certificate name that matched) stays unset.
// One corner the window does not see: when the CA file holds two issuers of
// the same name whose validity differs, OpenSSL prefers the one valid at the
// time of verification, and an issuer that becomes valid inside the window
// is only considered once the stored answer ends.
#include <openssl/x509_vfy.h>

#include <cstddef>
#include <ctime>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace tlsprobe::prober {

class VerifiedChainCache {
public:
    // Distinct chains and names kept; past it, the oldest answer is replaced.
    static constexpr std::size_t capacity = 64;

    // For SSL_CTX_set_cert_verify_callback, with the cache as its argument.
    static int verify_callback(X509_STORE_CTX* store, void* cache);

    // What X509_verify_cert(store) returns (0 for its internal errors, as
    // libssl takes them), leaving the same error and chain in `store`.
    // Safe to call from several threads at once (workers share the SSL_CTX):
    // a lock is held to look an answer up and to store one, never while
    // verifying.
    [[nodiscard]] int verify(X509_STORE_CTX* store);

private:
    struct ChainDeleter {
        void operator()(STACK_OF(X509) * chain) const;
    };
    using ChainPtr = std::unique_ptr<STACK_OF(X509), ChainDeleter>;

    // What X509_verify_cert left: its result, error and chain.
    struct Verification {
        bool verified = false;   // it returned 1
        int error = X509_V_OK;
        ChainPtr chain;          // a reference of its own to each certificate
    };

    // The time in which every certificate of a chain is valid.
    struct ValidityWindow {
        std::time_t from = 0;    // latest notBefore
        std::time_t until = 0;   // earliest notAfter: expired from this second on

        // As X509_verify_cert judges each certificate: notBefore <= now < notAfter.
        [[nodiscard]] bool holds(std::time_t now) const { return from <= now && now < until; }
    };

    struct Answer {
        std::string key;   // parameters and certificates (chain_key in the .cpp)
        Verification verification;
        ValidityWindow window;
    };

    // None for an empty chain or a time OpenSSL cannot read.
    [[nodiscard]] static std::optional<ValidityWindow> validity_window(STACK_OF(X509) * chain);

    // A copy of the answer stored for `key` whose window holds `now`.
    [[nodiscard]] std::optional<Verification> find(const std::string& key, std::time_t now);
    // Stores what X509_verify_cert returned and left in `store`, when its chain is valid at `now`.
    void remember(std::string key, int result, X509_STORE_CTX* store, std::time_t now);

    std::mutex mutex_;
    std::vector<Answer> answers_;   // at most `capacity`
    std::size_t next_replaced_ = 0;   // once full, answers are replaced in the order they were stored
};

}  // namespace tlsprobe::prober
