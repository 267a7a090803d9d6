#include <spdlog/spdlog.h>

#include <boost/json/serialize.hpp>
#include <memory>
#include <string>

#include "capture/capture_file.hpp"
#include "cli/capture_options.hpp"
#include "cli/command.hpp"
#include "cli/number_checks.hpp"
#include "core/atomic_file.hpp"
#include "core/errors.hpp"
#include "core/jsonl_writer.hpp"

namespace tlsprobe::cli {

namespace {

struct FlowsConfig {
    std::string file;
    std::string out = "-";
    std::string vantage = "capture";
    std::string filter;
    FlowTableFlags flows;
};

int run_flows(const FlowsConfig& config)
{
    capture::FileOptions options;
    options.path = config.file;
    options.vantage = config.vantage;
    options.filter = config.filter;
    options.flows = config.flows.config();
    // stdout streams each line as it comes; a file is replaced whole at the
    // end, so a reader never sees the old lines followed by new ones.
    std::unique_ptr<core::JsonlWriter> to_stdout;
    std::string file_text;
    std::uint64_t written = 0;
    const auto emit = [&](std::string_view line) {
        if (config.out != "-") {
            file_text.append(line).push_back('\n');
            return;
        }
        if (!to_stdout) {
            to_stdout = std::make_unique<core::JsonlWriter>(output_path(config.out));
        }
        to_stdout->append(line);
    };
    const auto summary = capture::read_capture_file(
        options,
        [&](const capture::FlowTimeline& flow) {
            emit(capture::to_json_line(flow, config.vantage));
            ++written;
        },
        [&](const capture::CaptureSummary& s, const capture::FramePipeline& pipeline) {
            emit(boost::json::serialize(capture::to_json(s, pipeline)));
            spdlog::info("{}: {} frames, {} TCP packets, {} flows written", config.file, pipeline.frames(),
                         pipeline.table().counters().packets, written);
        });
    if (config.out != "-") {
        core::write_file_atomically(config.out, file_text);
    } else if (to_stdout) {
        to_stdout->close();
    }
    if (summary.input_error) {
        throw core::InputError(fmt::format("{}: capture file is damaged or truncated ({}); the {} timelines read "
                                              "before it were written",
                                              config.file, *summary.input_error, written));
    }
    return 0;
}

}  // namespace

Command add_flows_command(CLI::App& parent)
{
    auto config = std::make_shared<FlowsConfig>();
    auto* app = parent.add_subcommand("flows", "Per-connection timelines (JSON Lines) from a pcap or pcapng file");
    app->add_option("file", config->file, "Capture file (pcap or pcapng, any writer); - reads standard input")
        ->required();
    app->add_option("--out", config->out,
                    "Where the timelines go (JSON Lines), - for stdout; an existing file is replaced whole")
        ->capture_default_str();
    app->add_option("--vantage", config->vantage, "Name of the vantage the file was captured at")->capture_default_str();
    auto* filter = app->add_option("--filter", config->filter, "BPF filter applied while reading");
    app->add_option_function<std::uint16_t>(
           "--port", [config](std::uint16_t port) { config->filter = fmt::format("tcp port {}", port); },
           "Only TCP port N (shorthand for --filter 'tcp port N')")
        ->check(whole_number_from_to(1, 65535))
        ->excludes(filter);
    config->flows.add_to(*app);
    return {app, [config] { return run_flows(*config); }};
}

}  // namespace tlsprobe::cli
