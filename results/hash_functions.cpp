#include "results/hash_functions.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>

namespace tlsprobe::results {

namespace {

constexpr std::uint32_t jhash_initval = 0xdeadbeefU;

struct JhashState {
    std::uint32_t a;
    std::uint32_t b;
    std::uint32_t c;
};

void jhash_mix(JhashState& s) {
    s.a -= s.c; s.a ^= std::rotl(s.c, 4);  s.c += s.b;
    s.b -= s.a; s.b ^= std::rotl(s.a, 6);  s.a += s.c;
    s.c -= s.b; s.c ^= std::rotl(s.b, 8);  s.b += s.a;
    s.a -= s.c; s.a ^= std::rotl(s.c, 16); s.c += s.b;
    s.b -= s.a; s.b ^= std::rotl(s.a, 19); s.a += s.c;
    s.c -= s.b; s.c ^= std::rotl(s.b, 4);  s.b += s.a;
}

void jhash_final(JhashState& s) {
    s.c ^= s.b; s.c -= std::rotl(s.b, 14);
    s.a ^= s.c; s.a -= std::rotl(s.c, 11);
    s.b ^= s.a; s.b -= std::rotl(s.a, 25);
    s.c ^= s.b; s.c -= std::rotl(s.b, 16);
    s.a ^= s.c; s.a -= std::rotl(s.c, 4);
    s.b ^= s.a; s.b -= std::rotl(s.a, 14);
    s.c ^= s.b; s.c -= std::rotl(s.b, 24);
}

// Little-endian word of up to four bytes: the full-block reads and the
// byte-wise tail of lookup3 agree on this layout.
std::uint32_t le_word(std::span<const std::uint8_t> bytes) {
    std::uint32_t word = 0;
    for (std::size_t i = 0; i < bytes.size() && i < 4; ++i) {
        word |= static_cast<std::uint32_t>(bytes[i]) << (8U * i);
    }
    return word;
}

std::uint32_t reflect(std::uint32_t value, unsigned width) {
    std::uint32_t out = 0;
    for (unsigned i = 0; i < width; ++i) {
        if ((value >> i) & 1U) {
            out |= 1U << (width - 1U - i);
        }
    }
    return out;
}

// Check values from the CRC RevEng catalogue ("123456789").
constexpr std::array crc16_catalogue{
    CrcVariant{"arc", 16, 0x8005, 0x0000, true, true, 0x0000, 0xbb3d},
    CrcVariant{"ibm-3740", 16, 0x1021, 0xffff, false, false, 0x0000, 0x29b1},
    CrcVariant{"xmodem", 16, 0x1021, 0x0000, false, false, 0x0000, 0x31c3},
    CrcVariant{"kermit", 16, 0x1021, 0x0000, true, true, 0x0000, 0x2189},
    CrcVariant{"modbus", 16, 0x8005, 0xffff, true, true, 0x0000, 0x4b37},
};
constexpr std::array crc32_catalogue{
    CrcVariant{"iso-hdlc", 32, 0x04c11db7, 0xffffffff, true, true, 0xffffffff, 0xcbf43926},
    CrcVariant{"iscsi", 32, 0x1edc6f41, 0xffffffff, true, true, 0xffffffff, 0xe3069283},
    CrcVariant{"bzip2", 32, 0x04c11db7, 0xffffffff, false, false, 0xffffffff, 0xfc891918},
    CrcVariant{"mpeg-2", 32, 0x04c11db7, 0xffffffff, false, false, 0x00000000, 0x0376e6e7},
};

constexpr std::array<std::uint8_t, 40> rss_key{
    0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
    0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
    0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

}  // namespace

std::uint32_t linux_jhash(std::span<const std::uint8_t> key, std::uint32_t initval) {
    const auto length = static_cast<std::uint32_t>(key.size());
    const std::uint32_t start = jhash_initval + length + initval;
    JhashState s{start, start, start};
    auto rest = key;
    while (rest.size() > 12) {
        s.a += le_word(rest.subspan(0, 4));
        s.b += le_word(rest.subspan(4, 4));
        s.c += le_word(rest.subspan(8, 4));
        jhash_mix(s);
        rest = rest.subspan(12);
    }
    if (rest.empty()) {
        return s.c;
    }
    s.a += le_word(rest.subspan(0, std::min<std::size_t>(rest.size(), 4)));
    if (rest.size() > 4) {
        s.b += le_word(rest.subspan(4, std::min<std::size_t>(rest.size() - 4, 4)));
    }
    if (rest.size() > 8) {
        s.c += le_word(rest.subspan(8));
    }
    jhash_final(s);
    return s.c;
}

std::span<const CrcVariant> crc_variants(unsigned width) {
    if (width == 16) {
        return crc16_catalogue;
    }
    if (width == 32) {
        return crc32_catalogue;
    }
    return {};
}

std::uint32_t crc(const CrcVariant& variant, std::span<const std::uint8_t> data) {
    const unsigned width = variant.width;
    const std::uint32_t top = 1U << (width - 1U);
    const std::uint32_t mask = width == 32 ? 0xffffffffU : (1U << width) - 1U;
    std::uint32_t reg = variant.init;
    for (const std::uint8_t byte : data) {
        const std::uint32_t in = variant.reflect_in ? reflect(byte, 8) : byte;
        reg ^= in << (width - 8U);
        for (int bit = 0; bit < 8; ++bit) {
            reg = (reg & top) != 0 ? (reg << 1U) ^ variant.poly : reg << 1U;
        }
        reg &= mask;
    }
    if (variant.reflect_out) {
        reg = reflect(reg, width);
    }
    return (reg ^ variant.xor_out) & mask;
}

std::uint32_t toeplitz_hash(std::span<const std::uint8_t> key, std::span<const std::uint8_t> input) {
    auto key_bit = [key](std::size_t bit) -> std::uint32_t {
        const std::size_t byte = bit / 8;
        if (byte >= key.size()) {
            return 0;
        }
        return (key[byte] >> (7U - (bit % 8))) & 1U;
    };
    std::uint32_t window = 0;
    for (std::size_t bit = 0; bit < 32; ++bit) {
        window = (window << 1U) | key_bit(bit);
    }
    std::uint32_t hash = 0;
    std::size_t next_key_bit = 32;
    for (const std::uint8_t byte : input) {
        for (unsigned bit = 0; bit < 8; ++bit) {
            if ((byte >> (7U - bit)) & 1U) {
                hash ^= window;
            }
            window = (window << 1U) | key_bit(next_key_bit++);
        }
    }
    return hash;
}

std::span<const std::uint8_t> rss_standard_key() {
    return rss_key;
}

std::uint32_t xor_fold(std::span<const std::uint8_t> input, unsigned width_bits) {
    const std::size_t word_bytes = width_bits / 8;
    std::uint32_t folded = 0;
    for (std::size_t at = 0; at < input.size(); at += word_bytes) {
        std::uint32_t word = 0;
        for (std::size_t i = 0; i < word_bytes; ++i) {
            const std::uint8_t byte = at + i < input.size() ? input[at + i] : 0;
            word = (word << 8U) | byte;
        }
        folded ^= word;
    }
    return folded;
}

}  // namespace tlsprobe::results
