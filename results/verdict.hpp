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
// The verdict a name of verdicts.jsonl stands for; empty for an unknown name.
[[nodiscard]] std::optional<Verdict> verdict_from_string(std::string_view name);

// What a verdict says beyond its name: which kind of `client_hello_lost`,
// or why a verdict is `unknown`.
enum class VerdictSub {
    none,
    middlebox_acked,                      // client_hello_lost: something ACKed the ClientHello the server never had
    unacked,                              // client_hello_lost: nothing ACKed it
    no_server_hello_client_hello_acked,   // unknown without a server capture: ClientHello ACKed, no ServerHello
    no_server_hello_unacked,              // unknown without a server capture: ClientHello not ACKed, no ServerHello
    syn_unanswered,                       // unknown without a server capture: no SYN-ACK came
    server_did_not_answer_syn,            // unknown: the server saw the SYN and sent no SYN-ACK
    no_client_hello,                      // unknown: the client never sent a ClientHello
    not_in_client_capture,                // unknown: the probe's connection is not in the client capture
    no_client_capture,                    // unknown: there is no client capture
    probe_outcome,                        // unknown: the handshake reached the client; its outcome says what failed
};
[[nodiscard]] std::string_view to_string(VerdictSub sub);

// What showed a middlebox on the path, in the order findings name them.
enum class MiddleboxEvidence {
    client_random,   // the server saw another ClientHello random: the middlebox terminates TLS
    isn,             // the server saw another ISN: it terminates TCP
    ports,           // the server saw another client address or port
    ttl,             // TTLs disagree on the initial TTL (or the distance) of the sender
};
[[nodiscard]] std::string_view to_string(MiddleboxEvidence evidence);

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
    VerdictSub sub = VerdictSub::none;
    bool path_split = false;
    bool middlebox = false;
    std::vector<MiddleboxEvidence> middlebox_evidence;   // in the order the checks found it
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

// The sub-kind as verdicts.jsonl and the reports name it: the probe's own
// outcome for VerdictSub::probe_outcome, empty for none.
[[nodiscard]] std::string_view sub_name(const VerdictRecord& record);

// One line of verdicts.jsonl: the verdict, its evidence, and both timelines' key times.
[[nodiscard]] boost::json::object to_json(const VerdictRecord& record);

}  // namespace tlsprobe::results
