// The ENGINE API is deprecated in OpenSSL 3.0; this file uses it on purpose
// (prober/ec_key_engine.hpp says why), so only here are OpenSSL's
// deprecation attributes left out. It must come before any OpenSSL header.
#define OPENSSL_SUPPRESS_DEPRECATED

#include "prober/ec_key_engine.hpp"

#include <openssl/engine.h>
#include <openssl/evp.h>

#include <array>
#include <mutex>

#include "core/errors.hpp"
#include "prober/openssl_handles.hpp"

namespace tlsprobe::prober {
namespace {

constexpr std::array<int, 1> claimed_key_types{EVP_PKEY_EC};

// ENGINE_PKEY_METHS_PTR: with no `method`, the key types claimed; otherwise
// the method for `nid`, OpenSSL's own built-in EC one.
int ec_key_methods(ENGINE* /*engine*/, EVP_PKEY_METHOD** method, const int** nids, int nid)
{
    if (method == nullptr) {
        *nids = claimed_key_types.data();
        return static_cast<int>(claimed_key_types.size());
    }
    // OpenSSL hands its built-in methods out as const; the engine passes it
    // back to OpenSSL, which never writes to a method it did not allocate.
    *method = nid == EVP_PKEY_EC ? const_cast<EVP_PKEY_METHOD*>(EVP_PKEY_meth_find(EVP_PKEY_EC)) : nullptr;
    return *method != nullptr ? 1 : 0;
}

void install()
{
    ENGINE* engine = ENGINE_new();
    // ENGINE_add keeps a reference in OpenSSL's engine list for the life of
    // the process, so ours is given back whatever happens.
    const bool installed = engine != nullptr && ENGINE_set_id(engine, "tlsprobe-ec-key") == 1 &&
                           ENGINE_set_name(engine, "tlsprobe: OpenSSL's built-in EC key method") == 1 &&
                           ENGINE_set_pkey_meths(engine, ec_key_methods) == 1 && ENGINE_add(engine) == 1 &&
                           ENGINE_register_pkey_meths(engine) == 1;
    ENGINE_free(engine);
    if (!installed) {
        throw core::EnvironmentError("cannot register the EC key engine with OpenSSL: " + openssl_errors());
    }
}

}  // namespace

void install_ec_key_engine()
{
    static std::once_flag once;
    std::call_once(once, install);
}

}  // namespace tlsprobe::prober
