#pragma once
// Owning handles for the OpenSSL objects the prober keeps.
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

namespace tlsprobe::prober {

template <auto Free>
struct OpenSslDeleter {
    template <typename T>
    void operator()(T* p) const
    {
        Free(p);
    }
};

using SslCtxPtr = std::unique_ptr<SSL_CTX, OpenSslDeleter<SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, OpenSslDeleter<SSL_free>>;
using SslSessionPtr = std::unique_ptr<SSL_SESSION, OpenSslDeleter<SSL_SESSION_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<X509_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY_free>>;

// Drains OpenSSL's error queue of this thread into one line of text.
[[nodiscard]] std::string openssl_errors();

}  // namespace tlsprobe::prober
