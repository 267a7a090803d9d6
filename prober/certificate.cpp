#include "prober/certificate.hpp"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "core/errors.hpp"

namespace tlsprobe::prober {

namespace {

void check(bool ok, const char* what)
{
    if (!ok) {
        throw core::EnvironmentError(std::string("cannot make the self-signed certificate (") + what +
                                        "): " + openssl_errors());
    }
}

}  // namespace

KeyAndCertificate make_self_signed(const std::vector<std::string>& ip_addresses)
{
    EvpPkeyPtr key(EVP_EC_gen("P-256"));
    check(key != nullptr, "key");
    X509Ptr certificate(X509_new());
    check(certificate != nullptr, "certificate");
    X509* cert = certificate.get();
    check(X509_set_version(cert, X509_VERSION_3) == 1, "version");
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("tlsprobe serve"),
                               -1, -1, 0);
    check(X509_set_issuer_name(cert, name) == 1, "issuer");
    check(X509_set_pubkey(cert, key.get()) == 1, "public key");

    std::string alt_names = "DNS:localhost";
    for (const auto& address : ip_addresses) {
        alt_names += ",IP:" + address;
    }
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, cert, cert, nullptr, nullptr, 0);
    for (const auto& [nid, value] : {std::pair{NID_subject_alt_name, alt_names},
                                     std::pair{NID_basic_constraints, std::string("critical,CA:TRUE")}}) {
        X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
        check(extension != nullptr, "extension");
        X509_add_ext(cert, extension, -1);
        X509_EXTENSION_free(extension);
    }
    check(X509_sign(cert, key.get(), EVP_sha256()) > 0, "signature");
    return {std::move(key), std::move(certificate)};
}

std::string certificate_pem(X509* certificate)
{
    std::unique_ptr<BIO, OpenSslDeleter<BIO_free>> bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509(bio.get(), certificate);
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace tlsprobe::prober
