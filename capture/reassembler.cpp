#include "capture/reassembler.hpp"

#include "capture/sequence.hpp"

namespace tlsprobe::capture {

void Reassembler::deliver_from(std::uint32_t offset, std::span<const std::byte> bytes, const Deliver& deliver)
{
    // Bytes before next_ were delivered already (a retransmission or overlap).
    const std::uint32_t skip = next_ - offset;
    if (skip >= bytes.size()) {
        return;
    }
    const auto fresh = bytes.subspan(skip);
    next_ += static_cast<std::uint32_t>(fresh.size());
    deliver(fresh);
}

void Reassembler::add(std::uint32_t offset, std::span<const std::byte> bytes, const Deliver& deliver)
{
    if (stopped_ || bytes.empty()) {
        return;
    }
    if (seq_before(next_, offset)) {
        if (pending_.size() == max_pending_segments || pending_bytes_ + bytes.size() > max_pending_bytes) {
            dropped_ = true;
            return;
        }
        pending_.push_back({offset, std::vector<std::byte>(bytes.begin(), bytes.end())});
        pending_bytes_ += bytes.size();
        return;
    }
    deliver_from(offset, bytes, deliver);
    // Each delivery may make held segments contiguous; repeat until none is.
    bool progressed = true;
    while (progressed && !pending_.empty() && !stopped_) {
        progressed = false;
        for (std::size_t i = 0; i < pending_.size(); ++i) {
            if (!seq_before(next_, pending_[i].offset)) {
                Pending held = std::move(pending_[i]);
                pending_.erase(pending_.begin() + static_cast<std::ptrdiff_t>(i));
                pending_bytes_ -= held.bytes.size();
                deliver_from(held.offset, held.bytes, deliver);
                progressed = true;
                break;
            }
        }
    }
}

void Reassembler::stop()
{
    stopped_ = true;
    pending_.clear();
    pending_.shrink_to_fit();
    pending_bytes_ = 0;
}

}  // namespace tlsprobe::capture
