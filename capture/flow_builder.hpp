#pragma once
// Builds a flow's timeline packet by packet: handshake, TLS hellos through
// reassembly, ACKs of the ClientHello, FIN / RST, TTLs and MACs per direction.
#include "capture/flow_state.hpp"
#include "capture/flow_timeline.hpp"
#include "capture/packet.hpp"

namespace tlsprobe::capture {

// The endpoints of a new flow from its first packet: a SYN tells who
// connected; without one, the side on a well-known server port is the server.
void start_timeline(FlowTimeline& timeline, const TcpPacket& first);

// Adds one packet of the flow; true when it closed the connection (the
// second FIN, or a RST).
[[nodiscard]] bool add_packet(Flow& flow, const TcpPacket& packet);

// The fields that are known only once the flow ends.
void finalize(Flow& flow, FlowEnd reason);

}  // namespace tlsprobe::capture
