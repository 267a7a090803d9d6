#include "prober/verified_chain_cache.hpp"

#include <openssl/asn1.h>
#include <openssl/crypto.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string_view>

namespace tlsprobe::prober {
namespace {

template <typename Number>
void append_number(std::string& key, Number value)
{
    char bytes[sizeof value];
    std::memcpy(bytes, &value, sizeof value);
    key.append(bytes, sizeof value);
}

// Length first, so no two different lists of fields make the same key.
void append_field(std::string& key, std::string_view field)
{
    append_number(key, field.size());
    key.append(field);
}

bool append_der(std::string& key, X509* certificate)
{
    const int size = i2d_X509(certificate, nullptr);
    if (size <= 0) {
        return false;
    }
    append_number(key, size);
    const std::size_t at = key.size();
    key.resize(at + static_cast<std::size_t>(size));
    auto* out = reinterpret_cast<unsigned char*>(key.data() + at);
    return i2d_X509(certificate, &out) == size;
}

// Everything of one verification that decides its result, except the trust
// store, purpose and trust (the same for every connection of the SSL_CTX)
// and the time (the answer's window). False when a certificate cannot be
// encoded: that verification is not stored.
bool chain_key(X509_STORE_CTX* store, std::string& key)
{
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(store);
    append_number(key, X509_VERIFY_PARAM_get_flags(param));
    append_number(key, X509_VERIFY_PARAM_get_hostflags(param));
    append_number(key, X509_VERIFY_PARAM_get_depth(param));
    append_number(key, X509_VERIFY_PARAM_get_auth_level(param));
    int hosts = 0;
    while (X509_VERIFY_PARAM_get0_host(param, hosts) != nullptr) {
        ++hosts;
    }
    append_number(key, hosts);
    for (int i = 0; i < hosts; ++i) {
        append_field(key, X509_VERIFY_PARAM_get0_host(param, i));
    }
    char* ip = X509_VERIFY_PARAM_get1_ip_asc(param);
    append_field(key, ip != nullptr ? ip : "");
    OPENSSL_free(ip);
    const char* email = X509_VERIFY_PARAM_get0_email(param);
    append_field(key, email != nullptr ? email : "");

    if (!append_der(key, X509_STORE_CTX_get0_cert(store))) {
        return false;
    }
    STACK_OF(X509)* untrusted = X509_STORE_CTX_get0_untrusted(store);
    const int count = untrusted != nullptr ? sk_X509_num(untrusted) : 0;
    append_number(key, count);
    for (int i = 0; i < count; ++i) {
        if (!append_der(key, sk_X509_value(untrusted, i))) {
            return false;
        }
    }
    return true;
}

// The moment X509_verify_cert checks validity against.
std::time_t verification_time(const X509_VERIFY_PARAM* param)
{
    return (X509_VERIFY_PARAM_get_flags(param) & X509_V_FLAG_USE_CHECK_TIME) != 0 ? X509_VERIFY_PARAM_get_time(param)
                                                                                   : std::time(nullptr);
}

std::optional<std::time_t> seconds_since_epoch(const ASN1_TIME* time)
{
    std::tm broken_down{};
    if (time == nullptr || ASN1_TIME_to_tm(time, &broken_down) != 1) {
        return std::nullopt;
    }
    return timegm(&broken_down);
}

}  // namespace

void VerifiedChainCache::ChainDeleter::operator()(STACK_OF(X509) * chain) const
{
    sk_X509_pop_free(chain, X509_free);
}

// The time in which every certificate of `chain` is valid.
std::optional<VerifiedChainCache::ValidityWindow> VerifiedChainCache::validity_window(STACK_OF(X509) * chain)
{
    const int count = chain != nullptr ? sk_X509_num(chain) : 0;
    if (count == 0) {
        return std::nullopt;
    }
    ValidityWindow window{.from = std::numeric_limits<std::time_t>::min(),
                          .until = std::numeric_limits<std::time_t>::max()};
    for (int i = 0; i < count; ++i) {
        const X509* certificate = sk_X509_value(chain, i);
        const auto not_before = seconds_since_epoch(X509_get0_notBefore(certificate));
        const auto not_after = seconds_since_epoch(X509_get0_notAfter(certificate));
        if (!not_before || !not_after) {
            return std::nullopt;
        }
        window.from = std::max(window.from, *not_before);
        window.until = std::min(window.until, *not_after);
    }
    return window;
}

int VerifiedChainCache::verify_callback(X509_STORE_CTX* store, void* cache)
{
    return static_cast<VerifiedChainCache*>(cache)->verify(store);
}

int VerifiedChainCache::verify(X509_STORE_CTX* store)
{
    std::string key;
    const bool keyed = chain_key(store, key);
    const std::time_t now = verification_time(X509_STORE_CTX_get0_param(store));
    if (keyed) {
        if (auto stored = find(key, now)) {
            X509_STORE_CTX_set0_verified_chain(store, stored->chain.release());
            X509_STORE_CTX_set_error(store, stored->error);
            return stored->verified ? 1 : 0;
        }
    }
    const int result = X509_verify_cert(store);
    if (keyed && result >= 0) {
        remember(std::move(key), result, store, now);
    }
    // libssl would take a negative result (an internal error) from a callback
    // as "retry the verification later" (SSL_want_retry_verify); from
    // X509_verify_cert itself it takes it as a failure, and so does this.
    return std::max(result, 0);
}

std::optional<VerifiedChainCache::Verification> VerifiedChainCache::find(const std::string& key, std::time_t now)
{
    const std::scoped_lock lock(mutex_);
    const auto answer = std::find_if(answers_.begin(), answers_.end(), [&](const Answer& candidate) {
        return candidate.key == key && candidate.window.holds(now);
    });
    if (answer == answers_.end()) {
        return std::nullopt;
    }
    ChainPtr chain(X509_chain_up_ref(answer->verification.chain.get()));
    if (chain == nullptr) {
        return std::nullopt;
    }
    return Verification{.verified = answer->verification.verified,
                        .error = answer->verification.error,
                        .chain = std::move(chain)};
}

void VerifiedChainCache::remember(std::string key, int result, X509_STORE_CTX* store, std::time_t now)
{
    STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(store);
    const auto window = validity_window(chain);
    // An answer given with a certificate out of its validity (an expired
    // one) is not stored: its window would never hold.
    if (!window || !window->holds(now)) {
        return;
    }
    ChainPtr copy(X509_chain_up_ref(chain));
    if (copy == nullptr) {
        return;
    }
    Answer answer{.key = std::move(key),
                  .verification = {.verified = result == 1,
                                   .error = X509_STORE_CTX_get_error(store),
                                   .chain = std::move(copy)},
                  .window = *window};
    const std::scoped_lock lock(mutex_);
    // Another worker may have verified the same chain meanwhile, or this one
    // re-verified an answer whose window had passed: one answer per key.
    const auto same_key = std::find_if(answers_.begin(), answers_.end(),
                                       [&](const Answer& stored) { return stored.key == answer.key; });
    if (same_key != answers_.end()) {
        *same_key = std::move(answer);
    } else if (answers_.size() < capacity) {
        answers_.push_back(std::move(answer));
    } else {
        answers_[next_replaced_] = std::move(answer);
        next_replaced_ = (next_replaced_ + 1) % capacity;
    }
}

}  // namespace tlsprobe::prober
