#pragma once
// One verdict per probe (or per client-side flow without a probe file), from
// the table in DESIGN.md, with the evidence that decided it.
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "results/flow_evidence.hpp"
#include "results/flow_join.hpp"
#include "prober/probe_record.hpp"

namespace tlsprobe::results {

enum class Verdict {
    ok,
    syn_lost,
    synack_lost,
    client_hello_lost,
    server_silence,
    server_hello_lost,
    midstream_reset,
    local_error,   // the probe never reached the wire as planned (its host refused the tuple)
    unknown,
};
inline constexpr int verdict_count = static_cast<int>(Verdict::unknown) + 1;
[[nodiscard]] std::string_view to_string(Verdict verdict);

// Who sent a RST seen after the TCP handshake.
enum class ResetOriginator { none, client, server, injected, not_known };
[[nodiscard]] std::string_view to_string(ResetOriginator originator);

struct VerdictRecord {
    std::optional<std::uint64_t> probe_id;
    std::uint32_t attempt = 1;
    std::string client_ip;
    std::uint16_t client_port = 0;
    std::string server_ip;
    std::uint16_t server_port = 0;
    Verdict verdict = Verdict::unknown;
    std::string sub;                         // e.g. middlebox_acked, unacked, or why it is unknown
    bool path_split = false;
    bool middlebox = false;
    std::vector<std::string> middlebox_evidence;   // ttl, isn, ports, client_random
    bool uncertain = false;                  // a capture it relied on dropped packets
    std::vector<std::string> missing;        // vantages whose capture was missing or had no flow
    std::optional<JoinKey> joined_by;
    std::string probe_outcome;
    // What the client saw of the ClientHello's ACK, and of the SYN-ACK.
    std::optional<std::uint8_t> ack_ttl;
    std::optional<HopEstimate> ack_hops;
    std::optional<std::uint8_t> synack_ttl_at_client;
    std::optional<std::uint8_t> server_sent_ttl;   // at the server vantage
    ResetOriginator reset_by = ResetOriginator::none;
    std::vector<std::string> server_side_client_macs;   // source MACs of client packets at the server
    const FlowEvidence* client_flow = nullptr;
    const FlowEvidence* server_flow = nullptr;
};

struct VerdictInputs {
    const prober::ProbeRecord* probe = nullptr;
    const FlowEvidence* client = nullptr;
    const FlowEvidence* server = nullptr;
    std::optional<JoinKey> joined_by;
    bool client_capture = false;   // a client-side capture exists at all
    bool server_capture = false;
    bool client_capture_lossy = false;
    bool server_capture_lossy = false;
};

[[nodiscard]] VerdictRecord decide(const VerdictInputs& inputs);

// One line of verdicts.jsonl: the verdict, its evidence, and both timelines' key times.
[[nodiscard]] boost::json::object to_json(const VerdictRecord& record);

}  // namespace tlsprobe::results
