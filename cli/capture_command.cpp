#include <spdlog/spdlog.h>

#include <boost/json/serialize.hpp>
#include <memory>
#include <string>

#include "capture/capture_agent.hpp"
#include "cli/capture_options.hpp"
#include "cli/command.hpp"
#include "cli/number_checks.hpp"
#include "core/durations.hpp"
#include "core/errors.hpp"
#include "core/jsonl_writer.hpp"

namespace tlsprobe::cli {

namespace {

struct CaptureConfig {
    std::string interface;
    std::string filter = "tcp";
    std::string vantage = "capture";
    std::string pcap;
    std::string out = "-";
    double duration_s = 0;
    int buffer_mib = 64;
    int snaplen = 262144;
    bool promiscuous = false;
    std::string user = "nobody";
    FlowTableFlags flows;
};

int run_capture(const CaptureConfig& config)
{
    capture::AgentOptions options;
    options.live.interface = config.interface;
    options.live.filter = config.filter;
    options.live.snaplen = config.snaplen;
    options.live.buffer_bytes = config.buffer_mib * 1024 * 1024;
    options.live.promiscuous = config.promiscuous;
    options.vantage = config.vantage;
    if (!config.pcap.empty()) {
        options.pcap_path = config.pcap;
    }
    if (config.duration_s > 0) {
        options.duration_ns = core::seconds_flag<std::chrono::nanoseconds>(config.duration_s).count();
    }
    options.flows = config.flows.config();
    options.user = config.user;

    std::unique_ptr<core::JsonlWriter> writer;
    capture::AgentHooks hooks;
    hooks.on_ready = [&] {
        writer = std::make_unique<core::JsonlWriter>(output_path(config.out));
        // What a run waits for before its first probe (runs/capture_agents.hpp).
        writer->append(boost::json::serialize(boost::json::object{
            {"type", "capture_ready"}, {"vantage", config.vantage}, {"interface", config.interface}}));
        writer->flush();
    };
    hooks.on_flow = [&](const capture::FlowTimeline& flow) {
        writer->append(capture::to_json_line(flow, config.vantage));
    };
    hooks.on_summary = [&](const capture::CaptureSummary& s, const capture::FramePipeline& pipeline) {
        writer->append(boost::json::serialize(capture::to_json(s, pipeline)));
        const capture::KernelStats kernel = s.kernel.value_or(capture::KernelStats{});
        // A lossy capture is worth a warning: verdicts from it are uncertain.
        const bool lossy = kernel.dropped > 0 || kernel.interface_dropped > 0;
        spdlog::log(lossy ? spdlog::level::warn : spdlog::level::info,
                    "{}: kernel received {} packets, dropped {} (interface dropped {}); {} frames read, {} flows",
                    config.interface, kernel.received, kernel.dropped, kernel.interface_dropped, pipeline.frames(),
                    pipeline.table().counters().flows_created);
    };
    const capture::AgentStop stop = capture::run_agent(options, hooks);
    if (writer) {
        writer->close();
    }
    return stop == capture::AgentStop::sigint ? static_cast<int>(core::ExitCode::interrupted) : 0;
}

}  // namespace

Command add_capture_command(CLI::App& parent)
{
    auto config = std::make_shared<CaptureConfig>();
    auto* app = parent.add_subcommand("capture", "Capture agent for one vantage: live timelines (JSON Lines) and a pcap");
    app->add_option("--iface", config->interface, "Interface to capture on")->required();
    auto* filter = app->add_option("--filter", config->filter, "BPF filter")->capture_default_str();
    app->add_option_function<std::uint16_t>(
           "--port", [config](std::uint16_t port) { config->filter = fmt::format("tcp port {}", port); },
           "Only TCP port N (shorthand for --filter 'tcp port N')")
        ->check(whole_number_from_to(1, 65535))
        ->excludes(filter);
    app->add_option("--vantage", config->vantage, "Name of this vantage (client, server, mirror...)")
        ->capture_default_str();
    app->add_option("--pcap", config->pcap, "Also write the packets to this pcap file");
    app->add_option("--out", config->out, "Where the timelines go (JSON Lines, appended), - for stdout")
        ->capture_default_str();
    app->add_option("--duration", config->duration_s,
                    "Seconds to capture; without it, until SIGTERM/SIGINT or stdin (a pipe) closes")
        ->check(greater_than_zero);
    app->add_option("--buffer-mib", config->buffer_mib, "Kernel capture buffer in MiB")
        ->check(CLI::Range(1, 2047))
        ->capture_default_str();
    app->add_option("--snaplen", config->snaplen, "Bytes kept per packet")
        ->check(CLI::Range(64, 262144))
        ->capture_default_str();
    app->add_flag("--promiscuous", config->promiscuous, "Put the interface in promiscuous mode");
    app->add_option("--user", config->user, "User a root agent switches to once the capture is open")
        ->capture_default_str();
    config->flows.add_to(*app);
    return {app, [config] { return run_capture(*config); }};
}

}  // namespace tlsprobe::cli
