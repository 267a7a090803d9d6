#include "core/sha256.hpp"

#include <openssl/evp.h>

#include <array>
#include <span>
#include <stdexcept>

#include "core/hex.hpp"

namespace tlsprobe::core {

std::string sha256_hex(std::string_view bytes)
{
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error("EVP_Digest(sha256) failed");
    }
    return to_hex(std::span(digest.data(), size));
}

}  // namespace tlsprobe::core
