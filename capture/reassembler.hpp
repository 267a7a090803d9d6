#pragma once
// Puts one direction's segments back in stream order for the TLS parser.
// Overlapping and repeated bytes are delivered once; segments ahead of a gap
// are held, within fixed limits, until the gap is filled.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace tlsprobe::capture {

class Reassembler {
public:
    using Deliver = std::function<void(std::span<const std::byte>)>;

    // `offset` is the stream offset of bytes[0] (sequence space, may wrap).
    void add(std::uint32_t offset, std::span<const std::byte> bytes, const Deliver& deliver);
    // Bytes of the stream were never captured (snaplen): parsing cannot go past them.
    void note_loss() { dropped_ = true; }
    // Frees the held segments; later calls to add() deliver nothing.
    void stop();

    [[nodiscard]] std::uint32_t next() const { return next_; }
    // Bytes are held behind a gap, or some were dropped because the limits were hit.
    [[nodiscard]] bool gap() const { return !pending_.empty() || dropped_; }

    static constexpr std::size_t max_pending_segments = 32;
    static constexpr std::size_t max_pending_bytes = 128 * 1024;

private:
    struct Pending {
        std::uint32_t offset = 0;
        std::vector<std::byte> bytes;
    };

    void deliver_from(std::uint32_t offset, std::span<const std::byte> bytes, const Deliver& deliver);

    std::uint32_t next_ = 0;
    std::vector<Pending> pending_;
    std::size_t pending_bytes_ = 0;
    bool dropped_ = false;
    bool stopped_ = false;
};

}  // namespace tlsprobe::capture
