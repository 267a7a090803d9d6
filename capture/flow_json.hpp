#pragma once
// The JSON Lines form of timelines and capture summaries (docs/FLOWS.md).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "capture/flow_timeline.hpp"
#include "capture/frame_pipeline.hpp"

namespace tlsprobe::capture {

// The kernel's view of a live capture (pcap_stats).
struct KernelStats {
    std::uint64_t received = 0;
    std::uint64_t dropped = 0;
    std::uint64_t interface_dropped = 0;
};

struct CaptureSummary {
    std::string vantage;
    // "file" or "interface", and its name.
    std::string source_kind;
    std::string source;
    std::optional<KernelStats> kernel;
    // The capture file ended inside a record: the error libpcap gave.
    std::optional<std::string> input_error;
    std::string stop_reason;
    std::string privileges;
};

[[nodiscard]] boost::json::object to_json(const FlowTimeline& flow, std::string_view vantage);
[[nodiscard]] boost::json::object to_json(const CaptureSummary& summary, const FramePipeline& pipeline);
[[nodiscard]] std::string to_json_line(const FlowTimeline& flow, std::string_view vantage);

}  // namespace tlsprobe::capture
