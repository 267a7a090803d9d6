// libFuzzer target for the pcap and pcapng file readers on their own: the
// input is written to an in-memory file and read with the real reader
// (capture::read_capture_file, libpcap underneath), as `tlsprobe flows`
// and `analyze` read a capture file.
//
// A file that is not a capture is core::InputError; one that ends
// mid-record is delivered with the summary's input_error. What must hold,
// or the target aborts: every timeline written as a flows.jsonl line (the
// text `tlsprobe flows` writes) reads back through the analysis's reader
// (results::flow_evidence_from_json) without an error.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "capture/capture_file.hpp"
#include "core/errors.hpp"
#include "fuzz_support.hpp"
#include "results/flow_evidence.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace tlsprobe;
    static fuzz::MemoryFile file;
    file.write(fuzz::text_of(data, size));

    capture::FileOptions options;
    options.path = file.path();
    options.vantage = "client";
    try {
        (void)capture::read_capture_file(
            options,
            [&](const capture::FlowTimeline& flow) {
                const auto line = capture::to_json_line(flow, options.vantage);
                try {
                    (void)results::flow_evidence_from_json(boost::json::parse(line).as_object());
                } catch (const core::InputError&) {
                    // The capture wrote a line its own analysis refuses.
                    std::abort();
                }
            },
            [](const capture::CaptureSummary& summary, const capture::FramePipeline& pipeline) {
                (void)boost::json::serialize(capture::to_json(summary, pipeline));
            });
    } catch (const core::InputError&) {
        // Not a capture, or a link type the decoder does not read.
    }
    return 0;
}
