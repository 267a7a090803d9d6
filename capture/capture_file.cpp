#include "capture/capture_file.hpp"

#include "capture/pcap_handle.hpp"

namespace tlsprobe::capture {

CaptureSummary read_capture_file(const FileOptions& options, const std::function<void(const FlowTimeline&)>& on_flow,
                                 const std::function<void(const CaptureSummary&, const FramePipeline&)>& on_summary)
{
    PcapHandle handle = open_capture_file(options.path);
    const LinkType link = handle.link_type();
    if (!options.filter.empty()) {
        handle.set_filter(options.filter);
    }
    CaptureSummary summary;
    summary.vantage = options.vantage;
    summary.source_kind = "file";
    summary.source = options.path.string();
    summary.stop_reason = "end_of_file";
    summary.privileges = "unchanged";

    FramePipeline pipeline(link, options.flows, on_flow);
    Frame frame;
    for (;;) {
        const NextFrame next = handle.next(frame);
        if (next == NextFrame::frame) {
            pipeline.on_frame(frame.t_ns, frame.bytes, frame.wire_length);
            continue;
        }
        if (next == NextFrame::error) {
            summary.input_error = handle.error();
            summary.stop_reason = "read_error";
        }
        break;
    }
    pipeline.table().flush(FlowEnd::capture_end);
    on_summary(summary, pipeline);
    return summary;
}

}  // namespace tlsprobe::capture
