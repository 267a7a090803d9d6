#pragma once
// Timelines from a pcap or pcapng file, whoever wrote it.
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "capture/flow_json.hpp"
#include "capture/flow_table.hpp"

namespace tlsprobe::capture {

struct FileOptions {
    std::filesystem::path path;   // "-": standard input
    std::string vantage = "capture";
    // Optional BPF filter applied while reading.
    std::string filter;
    FlowTableConfig flows;
};

// Each finished timeline goes to `on_flow`, the summary line to `on_summary`.
// Throws core::InputError (missing file, not a capture, unsupported link type, bad
// filter) before reading. A file that ends mid-record is not thrown: the
// timelines are all delivered and the summary carries `input_error`.
CaptureSummary read_capture_file(const FileOptions& options, const std::function<void(const FlowTimeline&)>& on_flow,
                                 const std::function<void(const CaptureSummary&, const FramePipeline&)>& on_summary);

}  // namespace tlsprobe::capture
