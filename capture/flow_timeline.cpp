#include "capture/flow_timeline.hpp"

namespace tlsprobe::capture {

std::string_view to_string(Side side)
{
    return side == Side::client ? "client" : "server";
}

std::string_view to_string(FlowEnd end)
{
    switch (end) {
    case FlowEnd::closed: return "closed";
    case FlowEnd::reset: return "reset";
    case FlowEnd::idle: return "idle";
    case FlowEnd::evicted: return "evicted";
    case FlowEnd::port_reused: return "port_reused";
    case FlowEnd::capture_end: return "capture_end";
    }
    return "unknown";
}

}  // namespace tlsprobe::capture
