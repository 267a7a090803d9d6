#include "results/verdict.hpp"

#include <boost/json.hpp>

#include <array>

namespace tlsprobe::results {
namespace {

namespace json = boost::json;

constexpr std::array<std::string_view, verdict_count> verdict_names{
    "ok",        "syn_lost",        "synack_lost", "client_hello_lost", "server_silence",
    "server_hello_lost", "midstream_reset", "local_error", "unknown",
};

constexpr std::array<std::string_view, static_cast<std::size_t>(VerdictSub::probe_outcome) + 1> verdict_sub_names{
    "",
    "middlebox_acked",
    "unacked",
    "no_server_hello_client_hello_acked",
    "no_server_hello_unacked",
    "syn_unanswered",
    "server_did_not_answer_syn",
    "no_client_hello",
    "not_in_client_capture",
    "no_client_capture",
    "probe_outcome",
};

bool several(const DirectionEvidence& direction)
{
    return direction.src_macs.size() > 1 || direction.ttls.size() > 1;
}

// Packets of one flow took different paths: more than one source MAC or
// TTL in the direction that crossed the path towards this vantage.
bool path_split(const FlowEvidence* client, const FlowEvidence* server)
{
    return (client != nullptr && several(client->server_to_client)) ||
           (server != nullptr && several(server->client_to_server));
}

void note_middlebox(VerdictRecord& record, const FlowEvidence* client, const FlowEvidence* server)
{
    const auto add = [&](MiddleboxEvidence what) {
        record.middlebox = true;
        record.middlebox_evidence.push_back(what);
    };
    if (client != nullptr && server != nullptr) {
        if (!client->server_to_client.ttls.empty() && !server->server_to_client.ttls.empty()) {
            const auto seen = estimate_hops(client->server_to_client.ttls.front());
            const auto sent = estimate_hops(server->server_to_client.ttls.front());
            if (seen.initial_ttl != sent.initial_ttl) {
                add(MiddleboxEvidence::ttl);
            }
        }
        if (client->syn && server->syn && client->syn->isn != server->syn->isn) {
            add(MiddleboxEvidence::isn);
        }
        if (client->client_ip != server->client_ip || client->client_port != server->client_port) {
            add(MiddleboxEvidence::ports);
        }
        if (client->client_hello && server->client_hello && client->client_hello->random != server->client_hello->random) {
            add(MiddleboxEvidence::client_random);
        }
    } else if (client != nullptr && client->syn_ack && client->client_hello_acked) {
        // One vantage: the ACK of the ClientHello and the SYN-ACK should come
        // from the same host, with the same initial TTL and distance.
        const auto synack = estimate_hops(client->syn_ack->packet.ttl);
        const auto ack = estimate_hops(client->client_hello_acked->ttl);
        if (synack.initial_ttl != ack.initial_ttl || synack.hops != ack.hops) {
            add(MiddleboxEvidence::ttl);
        }
    }
}

ResetOriginator reset_originator(const FlowEvidence& client, const FlowEvidence* server, bool server_capture)
{
    const CloseEvidence* reset = nullptr;
    for (const auto& close : client.closes) {
        if (close.rst) {
            reset = &close;
            break;
        }
    }
    if (reset == nullptr) {
        return ResetOriginator::none;
    }
    if (reset->from_client) {
        return ResetOriginator::client;
    }
    if (!server_capture) {
        return ResetOriginator::not_known;
    }
    if (server != nullptr) {
        for (const auto& close : server->closes) {
            if (close.rst && !close.from_client) {
                return ResetOriginator::server;
            }
        }
    }
    return ResetOriginator::injected;
}

// The client saw SYN-ACK, ClientHello out, no ServerHello back.
void decide_missing_server_hello(VerdictRecord& record, const VerdictInputs& in)
{
    const auto& client = *in.client;
    if (client.client_hello_acked) {
        record.ack_ttl = client.client_hello_acked->ttl;
        record.ack_hops = estimate_hops(client.client_hello_acked->ttl);
    }
    const auto ack_sub = client.client_hello_acked ? VerdictSub::middlebox_acked : VerdictSub::unacked;
    if (!in.server_capture) {
        record.verdict = Verdict::unknown;
        record.sub = client.client_hello_acked ? VerdictSub::no_server_hello_client_hello_acked
                                               : VerdictSub::no_server_hello_unacked;
        record.missing.emplace_back("server");
        return;
    }
    if (in.server == nullptr || !in.server->client_hello) {
        record.verdict = Verdict::client_hello_lost;
        // The server never had the ClientHello, so an ACK covering it came from something else.
        record.sub = ack_sub;
        return;
    }
    record.verdict = in.server->server_hello ? Verdict::server_hello_lost : Verdict::server_silence;
}

void decide_from_client_flow(VerdictRecord& record, const VerdictInputs& in)
{
    const auto& client = *in.client;
    if (client.syn_ack) {
        record.synack_ttl_at_client = client.syn_ack->packet.ttl;
    }
    if (!client.syn_ack) {
        if (!in.server_capture) {
            record.verdict = Verdict::unknown;
            record.sub = VerdictSub::syn_unanswered;
            record.missing.emplace_back("server");
        } else if (in.server == nullptr) {
            record.verdict = Verdict::syn_lost;
        } else if (in.server->syn_ack) {
            record.verdict = Verdict::synack_lost;
        } else {
            record.verdict = Verdict::unknown;
            record.sub = VerdictSub::server_did_not_answer_syn;
        }
        return;
    }
    record.reset_by = reset_originator(client, in.server, in.server_capture);
    if (!client.client_hello) {
        record.verdict = record.reset_by == ResetOriginator::none ? Verdict::unknown : Verdict::midstream_reset;
        record.sub = record.reset_by == ResetOriginator::none ? VerdictSub::no_client_hello : VerdictSub::none;
        return;
    }
    if (!client.server_hello) {
        if (record.reset_by != ResetOriginator::none && record.reset_by != ResetOriginator::client) {
            record.verdict = Verdict::midstream_reset;
            return;
        }
        decide_missing_server_hello(record, in);
        return;
    }
    if (record.reset_by != ResetOriginator::none &&
        (in.probe == nullptr || in.probe->outcome != prober::Outcome::ok)) {
        record.verdict = Verdict::midstream_reset;
        return;
    }
    if (in.probe == nullptr || in.probe->outcome == prober::Outcome::ok) {
        record.verdict = Verdict::ok;
        return;
    }
    // The handshake reached the client; what went wrong is not in the packets.
    record.verdict = Verdict::unknown;
    record.sub = VerdictSub::probe_outcome;
}

json::value optional_time(const std::optional<std::int64_t>& t)
{
    return t ? json::value(*t) : json::value(nullptr);
}

json::object flow_times(const FlowEvidence& flow)
{
    json::object out{
        {"vantage", flow.vantage},
        {"flow_id", flow.flow_id},
        {"tuple", flow.client_ip + ":" + std::to_string(flow.client_port) + " -> " + flow.server_ip + ":" +
                      std::to_string(flow.server_port)},
        {"syn_ns", optional_time(flow.syn ? std::optional(flow.syn->packet.t_ns) : std::nullopt)},
        {"syn_ack_ns", optional_time(flow.syn_ack ? std::optional(flow.syn_ack->packet.t_ns) : std::nullopt)},
        {"client_hello_ns",
         optional_time(flow.client_hello ? std::optional(flow.client_hello->t_ns) : std::nullopt)},
        {"client_hello_acked_ns",
         optional_time(flow.client_hello_acked ? std::optional(flow.client_hello_acked->t_ns) : std::nullopt)},
        {"server_hello_ns",
         optional_time(flow.server_hello ? std::optional(flow.server_hello->t_ns) : std::nullopt)},
    };
    json::array closes;
    for (const auto& close : flow.closes) {
        closes.push_back(json::object{{"kind", close.rst ? "rst" : "fin"},
                                      {"from", close.from_client ? "client" : "server"},
                                      {"t_ns", close.t_ns},
                                      {"rel_seq", close.rel_seq},
                                      {"ttl", close.ttl}});
    }
    out["closes"] = std::move(closes);
    json::array ttls;
    for (const auto ttl : flow.server_to_client.ttls) {
        ttls.emplace_back(ttl);
    }
    out["server_to_client_ttls"] = std::move(ttls);
    json::array macs;
    for (const auto& mac : flow.client_to_server.src_macs) {
        macs.emplace_back(mac);
    }
    out["client_to_server_src_macs"] = std::move(macs);
    return out;
}

}  // namespace

std::string_view to_string(Verdict verdict)
{
    return verdict_names.at(static_cast<std::size_t>(verdict));
}

std::optional<Verdict> verdict_from_string(std::string_view name)
{
    for (std::size_t i = 0; i < verdict_names.size(); ++i) {
        if (verdict_names[i] == name) {
            return static_cast<Verdict>(i);
        }
    }
    return std::nullopt;
}

std::string_view to_string(VerdictSub sub)
{
    return verdict_sub_names.at(static_cast<std::size_t>(sub));
}

std::string_view to_string(MiddleboxEvidence evidence)
{
    switch (evidence) {
    case MiddleboxEvidence::client_random:
        return "client_random";
    case MiddleboxEvidence::isn:
        return "isn";
    case MiddleboxEvidence::ports:
        return "ports";
    case MiddleboxEvidence::ttl:
        break;
    }
    return "ttl";
}

std::string_view sub_name(const VerdictRecord& record)
{
    return record.sub == VerdictSub::probe_outcome ? std::string_view(record.probe_outcome) : to_string(record.sub);
}

std::string_view to_string(ResetOriginator originator)
{
    switch (originator) {
    case ResetOriginator::client:
        return "client";
    case ResetOriginator::server:
        return "server";
    case ResetOriginator::injected:
        return "injected";
    case ResetOriginator::not_known:
        return "server_or_path";
    case ResetOriginator::none:
        break;
    }
    return "none";
}

VerdictRecord decide(const VerdictInputs& in)
{
    VerdictRecord record;
    record.joined_by = in.joined_by;
    record.client_flow = in.client;
    record.server_flow = in.server;
    if (in.probe != nullptr) {
        record.probe_id = in.probe->probe_id;
        record.attempt = in.probe->attempt;
        record.client_ip = in.probe->src_ip;
        record.client_port = in.probe->src_port;
        record.server_ip = in.probe->dst_ip;
        record.server_port = in.probe->dst_port;
        record.probe_outcome = std::string(to_string(in.probe->outcome));
    } else if (in.client != nullptr) {
        record.client_ip = in.client->client_ip;
        record.client_port = in.client->client_port;
        record.server_ip = in.client->server_ip;
        record.server_port = in.client->server_port;
    }
    if (in.server != nullptr) {
        record.server_side_client_macs = in.server->client_to_server.src_macs;
        if (!in.server->server_to_client.ttls.empty()) {
            record.server_sent_ttl = in.server->server_to_client.ttls.front();
        }
    }
    record.path_split = path_split(in.client, in.server);
    note_middlebox(record, in.client, in.server);
    record.uncertain = (in.client != nullptr && in.client_capture_lossy) ||
                       (in.server_capture && in.server_capture_lossy);

    if (in.probe != nullptr && in.probe->outcome == prober::Outcome::local_error) {
        record.verdict = Verdict::local_error;
        return record;
    }
    if (in.probe != nullptr && in.probe->outcome == prober::Outcome::interrupted) {
        // Cut off by the run's end before it decided: what the wire shows so
        // far (no ServerHello yet, say) is not yet a loss.
        record.verdict = Verdict::unknown;
        record.sub = VerdictSub::probe_outcome;
        return record;
    }
    if (in.client == nullptr) {
        // Even a probe the client called ok is unknown here: the verdicts
        // rest on the wire, and this connection is not on it (a capture
        // cut short, dropped packets, a filter that missed it).
        record.verdict = Verdict::unknown;
        record.sub = in.client_capture ? VerdictSub::not_in_client_capture : VerdictSub::no_client_capture;
        record.missing.emplace_back("client");
        return record;
    }
    decide_from_client_flow(record, in);
    return record;
}

json::object to_json(const VerdictRecord& record)
{
    json::object out;
    if (record.probe_id) {
        out["probe_id"] = *record.probe_id;
        out["attempt"] = record.attempt;
        out["probe_outcome"] = record.probe_outcome;
    }
    out["src_ip"] = record.client_ip;
    out["src_port"] = record.client_port;
    out["dst_ip"] = record.server_ip;
    out["dst_port"] = record.server_port;
    out["verdict"] = to_string(record.verdict);
    if (record.sub != VerdictSub::none) {
        out["sub"] = sub_name(record);
    }
    json::array flags;
    if (record.path_split) {
        flags.emplace_back("path_split");
    }
    if (record.middlebox) {
        flags.emplace_back("middlebox");
    }
    out["flags"] = std::move(flags);
    if (record.middlebox) {
        json::array evidence;
        for (const auto item : record.middlebox_evidence) {
            evidence.emplace_back(to_string(item));
        }
        out["middlebox_evidence"] = std::move(evidence);
    }
    if (record.uncertain) {
        out["uncertain"] = true;
    }
    if (!record.missing.empty()) {
        json::array missing;
        for (const auto& item : record.missing) {
            missing.emplace_back(item);
        }
        out["missing_capture"] = std::move(missing);
    }
    if (record.joined_by) {
        out["joined_by"] = to_string(*record.joined_by);
    }
    if (record.ack_ttl) {
        out["client_hello_ack_ttl"] = *record.ack_ttl;
        out["client_hello_ack_hops"] = record.ack_hops->hops;
        out["client_hello_ack_initial_ttl"] = record.ack_hops->initial_ttl;
    }
    if (record.synack_ttl_at_client) {
        out["synack_ttl_at_client"] = *record.synack_ttl_at_client;
    }
    if (record.server_sent_ttl) {
        out["server_sent_ttl"] = *record.server_sent_ttl;
    }
    if (record.reset_by != ResetOriginator::none) {
        out["reset_by"] = to_string(record.reset_by);
    }
    if (!record.server_side_client_macs.empty()) {
        json::array macs;
        for (const auto& mac : record.server_side_client_macs) {
            macs.emplace_back(mac);
        }
        out["server_side_client_macs"] = std::move(macs);
    }
    if (record.client_flow != nullptr) {
        out["client"] = flow_times(*record.client_flow);
    }
    if (record.server_flow != nullptr) {
        out["server"] = flow_times(*record.server_flow);
    }
    return out;
}

}  // namespace tlsprobe::results
