#pragma once
#include <string>
#include <vector>

#include "prober/openssl_handles.hpp"

namespace tlsprobe::prober {

struct KeyAndCertificate {
    EvpPkeyPtr key;
    X509Ptr certificate;
};

// A self-signed ECDSA P-256 certificate made in memory, valid for a day, for
// `localhost` and every address in `ip_addresses` (subjectAltName), so a
// client verifying against it as its CA passes host checks too.
[[nodiscard]] KeyAndCertificate make_self_signed(const std::vector<std::string>& ip_addresses);

// PEM text of a certificate, for `serve --cert-out`.
[[nodiscard]] std::string certificate_pem(X509* certificate);

}  // namespace tlsprobe::prober
