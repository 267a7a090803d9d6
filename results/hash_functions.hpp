#pragma once
// The hash functions behind the bucket models, each bit-exact with a named
// reference (Linux lookup3 jhash, the CRC catalogue's check values, the
// Microsoft RSS Toeplitz verification suite). Pure functions over bytes.
#include <cstdint>
#include <span>
#include <string_view>

namespace tlsprobe::results {

// linux/jhash.h jhash(): Bob Jenkins' lookup3 with JHASH_INITVAL 0xdeadbeef.
// Whole 12-byte blocks are read as little-endian words, as the kernel does on
// x86 and other little-endian CPUs (get_unaligned_cpu32).
[[nodiscard]] std::uint32_t linux_jhash(std::span<const std::uint8_t> key, std::uint32_t initval);

// linux/kernel.h reciprocal_scale(): maps a 32-bit hash to [0, range) by the
// high half of the 64-bit product, which is what nft_hash uses for `mod`.
[[nodiscard]] constexpr std::uint32_t reciprocal_scale(std::uint32_t value, std::uint32_t range) {
    return static_cast<std::uint32_t>((static_cast<std::uint64_t>(value) * range) >> 32U);
}

// One CRC in the Rocksoft/Williams parameter model (width up to 32 bits).
struct CrcVariant {
    std::string_view name;     // catalogue name, e.g. "arc", "iso-hdlc"
    unsigned width = 0;        // bits in the register: 16 or 32
    std::uint32_t poly = 0;    // generator polynomial, normal (MSB-first) form, top bit implicit
    std::uint32_t init = 0;    // register value before the first byte
    bool reflect_in = false;   // bytes enter least significant bit first
    bool reflect_out = false;  // the final register is bit-reversed
    std::uint32_t xor_out = 0; // xored into the result
    std::uint32_t check = 0;   // published CRC of the ASCII bytes "123456789"
};

// The supported variants of a width (16 or 32); empty for any other width.
[[nodiscard]] std::span<const CrcVariant> crc_variants(unsigned width);

[[nodiscard]] std::uint32_t crc(const CrcVariant& variant, std::span<const std::uint8_t> data);

// Microsoft RSS Toeplitz hash: for every set input bit (MSB first), xor in the
// 32-bit window of the key that starts at that bit. The key must hold at least
// input.size() + 4 bytes; missing key bits read as zero.
[[nodiscard]] std::uint32_t toeplitz_hash(std::span<const std::uint8_t> key,
                                          std::span<const std::uint8_t> input);

// The 40-byte key of the Microsoft RSS specification's verification suite.
[[nodiscard]] std::span<const std::uint8_t> rss_standard_key();

// Xor of the input split into big-endian words of `width_bits` (8, 16 or
// 32); a short last word is padded with zero bytes on the right.
[[nodiscard]] std::uint32_t xor_fold(std::span<const std::uint8_t> input, unsigned width_bits);

}  // namespace tlsprobe::results
