#pragma once
// Frames in, timelines out: decodes each captured frame, counts what could not
// be used and why, and feeds TCP packets to the flow table.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "capture/decoder.hpp"
#include "capture/flow_table.hpp"

namespace tlsprobe::capture {

// The first broken frame, for the summary: which frame, where, which field.
struct DecodeProblem {
    std::uint64_t frame = 0;
    DecodeResult result;
};

class FramePipeline {
public:
    FramePipeline(LinkType link, FlowTableConfig config, FlowTable::Sink sink)
        : link_(link), table_(config, std::move(sink))
    {
    }

    void on_frame(std::int64_t t_ns, std::span<const std::byte> frame, std::uint32_t wire_length)
    {
        ++frames_;
        bytes_ += wire_length;
        packet_.t_ns = t_ns;
        const DecodeResult result = decode_frame(link_, frame, wire_length, packet_);
        decode_.add(result.reason);
        if (result.ok()) {
            table_.add(packet_);
        } else if (is_error(result.reason) && !first_problem_) {
            first_problem_ = DecodeProblem{frames_, result};
        }
    }

    [[nodiscard]] LinkType link() const { return link_; }
    [[nodiscard]] FlowTable& table() { return table_; }
    [[nodiscard]] const FlowTable& table() const { return table_; }
    [[nodiscard]] std::uint64_t frames() const { return frames_; }
    [[nodiscard]] std::uint64_t bytes() const { return bytes_; }
    [[nodiscard]] const DecodeCounters& decode_counters() const { return decode_; }
    [[nodiscard]] const std::optional<DecodeProblem>& first_problem() const { return first_problem_; }

private:
    LinkType link_;
    FlowTable table_;
    TcpPacket packet_;
    std::uint64_t frames_ = 0;
    std::uint64_t bytes_ = 0;
    DecodeCounters decode_;
    std::optional<DecodeProblem> first_problem_;
};

}  // namespace tlsprobe::capture
