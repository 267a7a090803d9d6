#pragma once
// `tlsprobe capture`: one vantage's capture agent. Opens the interface,
// lets the caller open its outputs, gives up root, then reads packets until
// the duration is over, SIGTERM/SIGINT arrives, or stdin (when it is a pipe
// or socket) reaches end of file. Timelines are handed out as flows end.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "capture/flow_json.hpp"
#include "capture/flow_table.hpp"
#include "capture/live_capture.hpp"

namespace tlsprobe::capture {

struct AgentOptions {
    LiveOptions live;
    std::string vantage = "capture";
    std::optional<std::filesystem::path> pcap_path;
    std::optional<std::int64_t> duration_ns;
    FlowTableConfig flows;
    // The user a root agent switches to once the capture is open.
    std::string user = "nobody";
};

struct AgentHooks {
    // Called once the capture is open and before root is dropped: open outputs here.
    std::function<void()> on_ready;
    std::function<void(const FlowTimeline&)> on_flow;
    std::function<void(const CaptureSummary&, const FramePipeline&)> on_summary;
};

enum class AgentStop : std::uint8_t { duration, sigterm, sigint, stdin_closed };
[[nodiscard]] std::string_view to_string(AgentStop stop);

AgentStop run_agent(const AgentOptions& options, const AgentHooks& hooks);

}  // namespace tlsprobe::capture
