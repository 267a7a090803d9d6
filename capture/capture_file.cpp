#include "capture/capture_file.hpp"

#include <fmt/format.h>

#include <system_error>

#include "capture/pcap_handle.hpp"
#include "core/errors.hpp"

namespace tlsprobe::capture {

namespace {

PcapHandle open_file(const std::filesystem::path& path)
{
    // libpcap reads "-" as standard input (tcpdump -w - | tlsprobe flows -).
    const bool standard_input = path == "-";
    std::error_code ec;
    if (!standard_input && !std::filesystem::exists(path, ec)) {
        throw core::InputError(fmt::format("{}: no such file", path.string()));
    }
    if (std::filesystem::is_directory(path, ec)) {
        throw core::InputError(fmt::format("{}: is a directory, not a capture file", path.string()));
    }
    char error[PCAP_ERRBUF_SIZE] = {};
    pcap_t* handle = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, error);
    if (handle == nullptr) {
        throw core::InputError(fmt::format("{}: not a pcap or pcapng capture ({})",
                                           standard_input ? "standard input" : path.string(), error));
    }
    return PcapHandle(PcapPtr(handle), true, standard_input ? "standard input" : path.string());
}

}  // namespace

CaptureSummary read_capture_file(const FileOptions& options, const std::function<void(const FlowTimeline&)>& on_flow,
                                 const std::function<void(const CaptureSummary&, const FramePipeline&)>& on_summary)
{
    PcapHandle handle = open_file(options.path);
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
