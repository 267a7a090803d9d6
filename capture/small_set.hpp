#pragma once
// A set of at most N distinct values kept inline, for the per-flow sets of
// TTLs and MAC addresses: inserting never allocates, and values beyond N are
// only counted.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace tlsprobe::capture {

template <typename T, std::size_t N>
class SmallSet {
public:
    void insert(const T& value)
    {
        const auto end = items_.begin() + static_cast<std::ptrdiff_t>(size_);
        if (std::find(items_.begin(), end, value) != end) {
            return;
        }
        if (size_ == N) {
            overflow_ = true;
            return;
        }
        items_[size_++] = value;
    }

    [[nodiscard]] std::span<const T> items() const { return std::span<const T>(items_.data(), size_); }
    // More distinct values were seen than the set holds.
    [[nodiscard]] bool overflow() const { return overflow_; }

private:
    std::array<T, N> items_{};
    std::size_t size_ = 0;
    bool overflow_ = false;
};

// Up to N timestamps plus the count of all of them, for retransmission times.
template <std::size_t N>
struct TimeList {
    std::array<std::int64_t, N> times{};
    std::uint32_t count = 0;

    void add(std::int64_t t_ns)
    {
        if (count < N) {
            times[count] = t_ns;
        }
        ++count;
    }
    [[nodiscard]] std::span<const std::int64_t> kept() const
    {
        return std::span<const std::int64_t>(times.data(), std::min<std::size_t>(count, N));
    }
};

}  // namespace tlsprobe::capture
