// Verification of the server's certificate by ClientTls, connection after
// connection on one ClientTls as the probes of a run use it: a chain seen
// before is answered from memory (prober/verified_chain_cache.hpp), and each
// answer must be the one a full verification gives. The handshakes run in
// memory against an OpenSSL server holding a leaf signed by a test CA.
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <fstream>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "prober/client_tls.hpp"
#include "temp_dir.hpp"

namespace tlsprobe::prober {
namespace {

constexpr long hour = 3600;
constexpr long day = 24 * hour;

struct Issued {
    EvpPkeyPtr key;
    X509Ptr certificate;
};

struct Validity {
    long from = 0;    // notBefore, seconds from now
    long until = 0;   // notAfter
};

// An ECDSA P-256 certificate for CN `name` and `alt_names` (none when
// empty), signed by `issuer`, or self-signed as a CA when it is null.
Issued issue(const char* name, const std::string& alt_names, const Issued* issuer, Validity validity)
{
    static long serial = 1;
    Issued made{EvpPkeyPtr(EVP_EC_gen("P-256")), X509Ptr(X509_new())};
    X509* cert = made.certificate.get();
    X509_set_version(cert, X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), serial++);
    X509_gmtime_adj(X509_getm_notBefore(cert), validity.from);
    X509_gmtime_adj(X509_getm_notAfter(cert), validity.until);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(name), -1, -1, 0);
    X509* signer = issuer != nullptr ? issuer->certificate.get() : cert;
    X509_set_issuer_name(cert, X509_get_subject_name(signer));
    X509_set_pubkey(cert, made.key.get());
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, signer, cert, nullptr, nullptr, 0);
    std::vector<std::pair<int, std::string>> extensions{
        {NID_basic_constraints, issuer == nullptr ? "critical,CA:TRUE" : "CA:FALSE"}};
    if (!alt_names.empty()) {
        extensions.emplace_back(NID_subject_alt_name, alt_names);
    }
    for (const auto& [nid, value] : extensions) {
        X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
        X509_add_ext(cert, extension, -1);
        X509_EXTENSION_free(extension);
    }
    X509_sign(cert, issuer != nullptr ? issuer->key.get() : made.key.get(), EVP_sha256());
    return made;
}

// Calls of the per-certificate verify callback during one handshake:
// X509_verify_cert makes them, a stored answer does not.
int verify_callback_calls = 0;

int count_verify_callback(int preverify_ok, X509_STORE_CTX* /*store*/)
{
    ++verify_callback_calls;
    return preverify_ok;
}

struct Handshake {
    bool completed = false;
    long verify_result = X509_V_OK;
    int verified_chain_length = 0;
    bool fully_verified = false;   // X509_verify_cert ran, rather than a stored answer
};

class ClientTlsVerification : public ::testing::Test {
protected:
    ClientTlsVerification() { serve(issue("localhost", "DNS:localhost", &ca_, {.from = -hour, .until = 2 * day})); }

    // The certificate the server sends from now on.
    void serve(Issued leaf)
    {
        leaf_ = std::move(leaf);
        server_.reset(SSL_CTX_new(TLS_server_method()));
        SSL_CTX_use_certificate(server_.get(), leaf_.certificate.get());
        SSL_CTX_use_PrivateKey(server_.get(), leaf_.key.get());
    }

    // A client for `localhost` trusting `ca` only.
    [[nodiscard]] ClientTls client_trusting(const Issued& ca) const
    {
        const auto path = dir_.path() / ("ca" + std::to_string(X509_subject_name_hash(ca.certificate.get())) + ".pem");
        std::unique_ptr<FILE, decltype(&std::fclose)> file(std::fopen(path.c_str(), "w"), &std::fclose);
        PEM_write_X509(file.get(), ca.certificate.get());
        file.reset();
        scenarios::TlsOptions options;
        options.ca_file = path;
        return ClientTls(options, "localhost");
    }

    // One connection through a memory BIO pair; `adjust` changes the client's SSL before it starts.
    Handshake connect(const ClientTls& client, const std::function<void(SSL*)>& adjust = {})
    {
        TlsMessages messages;
        SslPtr client_ssl = client.new_connection(messages, nullptr);
        SslPtr server_ssl(SSL_new(server_.get()));
        BIO* client_end = nullptr;
        BIO* server_end = nullptr;
        BIO_new_bio_pair(&client_end, 0, &server_end, 0);
        SSL_set_bio(client_ssl.get(), client_end, client_end);
        SSL_set_bio(server_ssl.get(), server_end, server_end);
        SSL_set_accept_state(server_ssl.get());
        SSL_set_verify(client_ssl.get(), SSL_VERIFY_PEER, count_verify_callback);
        if (adjust) {
            adjust(client_ssl.get());
        }
        verify_callback_calls = 0;
        Handshake result;
        for (int flight = 0; flight < 8 && !result.completed; ++flight) {
            const int client_status = SSL_do_handshake(client_ssl.get());
            if (client_status != 1 && SSL_get_error(client_ssl.get(), client_status) != SSL_ERROR_WANT_READ) {
                break;
            }
            result.completed = client_status == 1;
            SSL_do_handshake(server_ssl.get());
        }
        result.verify_result = SSL_get_verify_result(client_ssl.get());
        STACK_OF(X509)* chain = SSL_get0_verified_chain(client_ssl.get());
        result.verified_chain_length = chain != nullptr ? sk_X509_num(chain) : 0;
        result.fully_verified = verify_callback_calls > 0;
        ERR_clear_error();
        return result;
    }

    static std::function<void(SSL*)> checking_host(const std::string& host)
    {
        return [host](SSL* ssl) { SSL_set1_host(ssl, host.c_str()); };
    }

    static std::function<void(SSL*)> verifying_at(std::time_t when)
    {
        return [when](SSL* ssl) { X509_VERIFY_PARAM_set_time(SSL_get0_param(ssl), when); };
    }

    tlsprobe::testing::TempDir dir_;
    // The CA expires a day from now, before its leaves (two days by default).
    Issued ca_ = issue("tlsprobe test CA", "", nullptr, {.from = -hour, .until = day});
    Issued leaf_;
    SslCtxPtr server_;
};

TEST_F(ClientTlsVerification, TheRightCaPassesEveryConnectionVerifyingTheChainOnce)
{
    const ClientTls client = client_trusting(ca_);
    for (int connection = 0; connection < 3; ++connection) {
        const auto handshake = connect(client);
        EXPECT_TRUE(handshake.completed) << connection;
        EXPECT_EQ(handshake.verify_result, X509_V_OK) << connection;
        EXPECT_EQ(handshake.verified_chain_length, 2) << "leaf and CA, connection " << connection;
        EXPECT_EQ(handshake.fully_verified, connection == 0) << connection;
    }
}

TEST_F(ClientTlsVerification, AWrongCaFailsEveryConnection)
{
    const Issued other_ca = issue("another CA", "", nullptr, {.from = -hour, .until = day});
    const ClientTls client = client_trusting(other_ca);
    for (int connection = 0; connection < 3; ++connection) {
        const auto handshake = connect(client);
        EXPECT_FALSE(handshake.completed) << connection;
        EXPECT_EQ(handshake.verify_result, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY) << connection;
        EXPECT_EQ(handshake.fully_verified, connection == 0) << connection;
    }
}

TEST_F(ClientTlsVerification, AnotherHostNameIsCheckedAfterTheSameChainPassed)
{
    const ClientTls client = client_trusting(ca_);
    EXPECT_TRUE(connect(client).completed);

    const auto mismatch = connect(client, checking_host("other.test"));
    EXPECT_FALSE(mismatch.completed);
    EXPECT_EQ(mismatch.verify_result, X509_V_ERR_HOSTNAME_MISMATCH);
    EXPECT_TRUE(mismatch.fully_verified);

    const auto again = connect(client);
    EXPECT_TRUE(again.completed);
    EXPECT_EQ(again.verify_result, X509_V_OK);
    EXPECT_FALSE(again.fully_verified) << "the first connection's answer still holds";
}

TEST_F(ClientTlsVerification, AnExpiredCertificateFailsEveryConnection)
{
    serve(issue("localhost", "DNS:localhost", &ca_, {.from = -2 * day, .until = -hour}));
    const ClientTls client = client_trusting(ca_);
    for (int connection = 0; connection < 3; ++connection) {
        const auto handshake = connect(client);
        EXPECT_FALSE(handshake.completed) << connection;
        EXPECT_EQ(handshake.verify_result, X509_V_ERR_CERT_HAS_EXPIRED) << connection;
        EXPECT_TRUE(handshake.fully_verified) << "never stored, connection " << connection;
    }
}

TEST_F(ClientTlsVerification, AStoredAnswerHoldsOnlyWhileEveryCertificateOfTheChainIsValid)
{
    const ClientTls client = client_trusting(ca_);
    const std::time_t now = std::time(nullptr);
    EXPECT_TRUE(connect(client, verifying_at(now)).fully_verified);

    // Past the CA's notAfter, before the leaf's.
    const auto ca_expired = connect(client, verifying_at(now + day + hour));
    EXPECT_FALSE(ca_expired.completed);
    EXPECT_EQ(ca_expired.verify_result, X509_V_ERR_CERT_HAS_EXPIRED);
    EXPECT_TRUE(ca_expired.fully_verified);

    const auto not_yet = connect(client, verifying_at(now - 2 * hour));
    EXPECT_FALSE(not_yet.completed);
    EXPECT_EQ(not_yet.verify_result, X509_V_ERR_CERT_NOT_YET_VALID);
    EXPECT_TRUE(not_yet.fully_verified);

    const auto within = connect(client, verifying_at(now + hour));
    EXPECT_TRUE(within.completed);
    EXPECT_EQ(within.verify_result, X509_V_OK);
    EXPECT_FALSE(within.fully_verified) << "the first connection's answer holds an hour later";
}

TEST_F(ClientTlsVerification, TheOldestAnswerGivesWayPastTheCapacity)
{
    const ClientTls client = client_trusting(ca_);
    EXPECT_TRUE(connect(client).fully_verified);
    for (std::size_t name = 0; name < VerifiedChainCache::capacity; ++name) {
        const auto mismatch = connect(client, checking_host("host" + std::to_string(name) + ".test"));
        EXPECT_EQ(mismatch.verify_result, X509_V_ERR_HOSTNAME_MISMATCH);
        EXPECT_TRUE(mismatch.fully_verified) << name;
    }
    const auto again = connect(client);
    EXPECT_TRUE(again.completed);
    EXPECT_TRUE(again.fully_verified) << "the first answer was replaced";
    EXPECT_FALSE(connect(client).fully_verified);
}

}  // namespace
}  // namespace tlsprobe::prober
