#pragma once
// Joining the client vantage's flows with the server vantage's (DESIGN.md,
// "Joining the two sides"): the same connection, seen twice.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "results/flow_evidence.hpp"

namespace tlsprobe::results {

enum class JoinKey {
    client_random,    // the same ClientHello random on both sides
    isn_tsval,        // the same SYN ISN and TCP timestamp value
    tuple_time,       // the same 4-tuple, SYNs within the window after the clock offset
    middlebox_time,   // a server-side flow from another address, nearest in time: a TCP-terminating middlebox
};
[[nodiscard]] std::string_view to_string(JoinKey key);

// Server clock minus client clock plus the one-way delay, from the flows
// joined by an exact key (client random, ISN): the median, and half the
// distance between the 10th and 90th percentiles as its spread.
struct ClockOffset {
    std::int64_t median_ns = 0;
    std::int64_t spread_ns = 0;
    std::size_t samples = 0;
};

struct JoinedFlow {
    std::size_t server = 0;   // index into the server flows
    JoinKey key = JoinKey::client_random;
};

struct FlowJoin {
    std::vector<std::optional<JoinedFlow>> server_of_client;   // one entry per client flow
    std::vector<std::size_t> unjoined_server;                  // server flows no client flow took
    ClockOffset offset;
};

struct JoinOptions {
    std::int64_t window_ns = 1'000'000'000;   // how far apart two SYNs may be, after the offset
};

[[nodiscard]] FlowJoin join_flows(std::span<const FlowEvidence> client, std::span<const FlowEvidence> server,
                                  JoinOptions options = {});

}  // namespace tlsprobe::results
