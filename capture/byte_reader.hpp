#pragma once
// The one way the decoder reads wire bytes: every read and skip is checked
// against the end of the span, a length prefix becomes a sub-reader that cannot
// run past its parent, and values are memcpy'd out (never a cast of a packed
// struct), so malformed input can only produce a failed read.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>

namespace tlsprobe::capture {

class ByteReader {
public:
    ByteReader() = default;
    // `base` is the offset of `bytes` in the enclosing buffer, so a sub-reader
    // can still report where in the packet it stopped.
    explicit ByteReader(std::span<const std::byte> bytes, std::size_t base = 0) : bytes_(bytes), base_(base) {}

    [[nodiscard]] std::size_t remaining() const { return bytes_.size() - pos_; }
    [[nodiscard]] bool empty() const { return remaining() == 0; }
    // Offset of the next unread byte in the outermost buffer.
    [[nodiscard]] std::size_t offset() const { return base_ + pos_; }
    [[nodiscard]] std::span<const std::byte> rest() const { return bytes_.subspan(pos_); }

    [[nodiscard]] std::optional<std::uint8_t> u8() { return read_be<std::uint8_t>(); }
    [[nodiscard]] std::optional<std::uint16_t> u16() { return read_be<std::uint16_t>(); }
    [[nodiscard]] std::optional<std::uint32_t> u32() { return read_be<std::uint32_t>(); }
    [[nodiscard]] std::optional<std::uint32_t> u24()
    {
        std::array<std::byte, 3> b{};
        if (!copy_into(b)) {
            return std::nullopt;
        }
        return (std::to_integer<std::uint32_t>(b[0]) << 16U) | (std::to_integer<std::uint32_t>(b[1]) << 8U) |
               std::to_integer<std::uint32_t>(b[2]);
    }
    // Little-endian 32-bit, for the BSD loopback header (host order of the writer).
    [[nodiscard]] std::optional<std::uint32_t> u32_le()
    {
        std::array<std::byte, 4> b{};
        if (!copy_into(b)) {
            return std::nullopt;
        }
        return std::to_integer<std::uint32_t>(b[0]) | (std::to_integer<std::uint32_t>(b[1]) << 8U) |
               (std::to_integer<std::uint32_t>(b[2]) << 16U) | (std::to_integer<std::uint32_t>(b[3]) << 24U);
    }

    template <std::size_t N>
    [[nodiscard]] bool copy_into(std::array<std::byte, N>& out)
    {
        if (remaining() < N) {
            return false;
        }
        std::memcpy(out.data(), bytes_.data() + pos_, N);
        pos_ += N;
        return true;
    }

    [[nodiscard]] std::optional<std::span<const std::byte>> bytes(std::size_t n)
    {
        if (remaining() < n) {
            return std::nullopt;
        }
        auto out = bytes_.subspan(pos_, n);
        pos_ += n;
        return out;
    }

    [[nodiscard]] bool skip(std::size_t n)
    {
        if (remaining() < n) {
            return false;
        }
        pos_ += n;
        return true;
    }

    // The next `n` bytes as their own reader; this reader moves past them.
    [[nodiscard]] std::optional<ByteReader> sub(std::size_t n)
    {
        const std::size_t at = offset();
        auto b = bytes(n);
        if (!b) {
            return std::nullopt;
        }
        return ByteReader(*b, at);
    }

    // A length prefix of 1, 2 or 3 bytes followed by that many bytes.
    [[nodiscard]] std::optional<ByteReader> sub_u8() { return sub_prefixed(u8()); }
    [[nodiscard]] std::optional<ByteReader> sub_u16() { return sub_prefixed(u16()); }
    [[nodiscard]] std::optional<ByteReader> sub_u24() { return sub_prefixed(u24()); }

private:
    template <typename T>
    [[nodiscard]] std::optional<T> read_be()
    {
        std::array<std::byte, sizeof(T)> b{};
        if (!copy_into(b)) {
            return std::nullopt;
        }
        T value = 0;
        for (const std::byte x : b) {
            value = static_cast<T>((value << 8U) | std::to_integer<T>(x));
        }
        return value;
    }

    template <typename N>
    [[nodiscard]] std::optional<ByteReader> sub_prefixed(std::optional<N> length)
    {
        if (!length) {
            return std::nullopt;
        }
        return sub(*length);
    }

    std::span<const std::byte> bytes_;
    std::size_t pos_ = 0;
    std::size_t base_ = 0;
};

}  // namespace tlsprobe::capture
