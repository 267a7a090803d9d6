#pragma once
// TCP sequence-space helpers: serial-number comparison (RFC 1982) and a
// classifier that tells new data from retransmissions and gap fills.
#include <array>
#include <cstddef>
#include <cstdint>

namespace tlsprobe::capture {

// a < b in 32-bit sequence space.
[[nodiscard]] constexpr bool seq_before(std::uint32_t a, std::uint32_t b)
{
    return static_cast<std::int32_t>(a - b) < 0;
}

enum class SegmentKind : std::uint8_t { new_data, retransmission, out_of_order };

// Remembers the highest stream offset sent and a few holes below it. A
// segment inside a hole fills it (it was out of order); any other segment
// below the highest end carries bytes already seen (a retransmission).
// Offsets start at 0, the first byte after the ISN (or after the point a
// flow without SYN was picked up).
class SequenceTracker {
public:
    [[nodiscard]] SegmentKind classify(std::uint32_t begin, std::uint32_t end)
    {
        if (!seq_before(begin, high_)) {
            if (seq_before(high_, begin)) {
                add_hole(high_, begin);
            }
            high_ = end;
            return SegmentKind::new_data;
        }
        for (std::size_t i = 0; i < hole_count_; ++i) {
            Hole& h = holes_[i];
            if (!seq_before(begin, h.begin) && !seq_before(h.end, end)) {
                fill(i, begin, end);
                return SegmentKind::out_of_order;
            }
        }
        if (seq_before(high_, end)) {
            high_ = end;
        }
        return SegmentKind::retransmission;
    }

private:
    struct Hole {
        std::uint32_t begin = 0;
        std::uint32_t end = 0;
    };
    static constexpr std::size_t max_holes = 8;

    void add_hole(std::uint32_t begin, std::uint32_t end)
    {
        if (hole_count_ == max_holes) {
            // Forget the oldest hole: a late fill of it will count as a retransmission.
            for (std::size_t i = 1; i < max_holes; ++i) {
                holes_[i - 1] = holes_[i];
            }
            --hole_count_;
        }
        holes_[hole_count_++] = {begin, end};
    }

    void fill(std::size_t i, std::uint32_t begin, std::uint32_t end)
    {
        const Hole h = holes_[i];
        for (std::size_t j = i + 1; j < hole_count_; ++j) {
            holes_[j - 1] = holes_[j];
        }
        --hole_count_;
        if (seq_before(h.begin, begin)) {
            add_hole(h.begin, begin);
        }
        if (seq_before(end, h.end)) {
            add_hole(end, h.end);
        }
    }

    std::uint32_t high_ = 0;
    std::array<Hole, max_holes> holes_{};
    std::size_t hole_count_ = 0;
};

}  // namespace tlsprobe::capture
