#include "results/flow_events.hpp"

#include <algorithm>

namespace tlsprobe::results {

std::string_view to_string(FlowEventKind kind)
{
    switch (kind) {
    case FlowEventKind::syn: return "syn";
    case FlowEventKind::syn_ack: return "syn_ack";
    case FlowEventKind::handshake_ack: return "handshake_ack";
    case FlowEventKind::client_hello: return "client_hello";
    case FlowEventKind::client_hello_ack: return "client_hello_ack";
    case FlowEventKind::server_hello: return "server_hello";
    case FlowEventKind::change_cipher_spec: return "change_cipher_spec";
    case FlowEventKind::alert: return "alert";
    case FlowEventKind::fin: return "fin";
    case FlowEventKind::rst: return "rst";
    }
    return "unknown";
}

namespace {

FlowEvent syn_event(FlowEventKind kind, bool from_client, const SynEvidence& syn)
{
    return {.kind = kind,
            .from_client = from_client,
            .t_ns = syn.packet.t_ns,
            .ttl = syn.packet.ttl,
            .isn = syn.isn,
            .retransmissions = syn.retransmissions};
}

FlowEvent hello_event(FlowEventKind kind, bool from_client, const HelloEvidence& hello)
{
    return {.kind = kind,
            .from_client = from_client,
            .t_ns = hello.t_ns,
            .length = hello.length == 0 ? std::nullopt : std::optional(hello.length),
            .random = hello.random,
            .retransmissions = hello.retransmissions};
}

void add_direction(std::vector<FlowEvent>& events, const DirectionEvidence& direction, bool from_client)
{
    if (direction.change_cipher_spec_ns) {
        events.push_back({.kind = FlowEventKind::change_cipher_spec,
                          .from_client = from_client,
                          .t_ns = *direction.change_cipher_spec_ns});
    }
    for (const auto& alert : direction.alerts) {
        events.push_back({.kind = FlowEventKind::alert,
                          .from_client = from_client,
                          .t_ns = alert.t_ns,
                          .alert_level = alert.level,
                          .alert_description = alert.description});
    }
}

}  // namespace

std::vector<FlowEvent> key_events(const FlowEvidence& flow)
{
    std::vector<FlowEvent> events;
    if (flow.syn) {
        events.push_back(syn_event(FlowEventKind::syn, true, *flow.syn));
    }
    if (flow.syn_ack) {
        events.push_back(syn_event(FlowEventKind::syn_ack, false, *flow.syn_ack));
    }
    if (flow.handshake_ack_ns) {
        events.push_back({.kind = FlowEventKind::handshake_ack, .from_client = true, .t_ns = *flow.handshake_ack_ns});
    }
    if (flow.client_hello) {
        events.push_back(hello_event(FlowEventKind::client_hello, true, *flow.client_hello));
    }
    if (flow.client_hello_acked) {
        events.push_back({.kind = FlowEventKind::client_hello_ack,
                          .from_client = false,
                          .t_ns = flow.client_hello_acked->t_ns,
                          .ttl = flow.client_hello_acked->ttl,
                          .pure_acks = flow.client_hello_pure_acks});
    }
    if (flow.server_hello) {
        events.push_back(hello_event(FlowEventKind::server_hello, false, *flow.server_hello));
    }
    add_direction(events, flow.client_to_server, true);
    add_direction(events, flow.server_to_client, false);
    for (const auto& close : flow.closes) {
        events.push_back({.kind = close.rst ? FlowEventKind::rst : FlowEventKind::fin,
                          .from_client = close.from_client,
                          .t_ns = close.t_ns,
                          .ttl = close.ttl,
                          .rel_seq = close.rel_seq});
    }
    std::stable_sort(events.begin(), events.end(), [](const FlowEvent& a, const FlowEvent& b) {
        return a.t_ns != b.t_ns ? a.t_ns < b.t_ns : a.kind < b.kind;
    });
    return events;
}

}  // namespace tlsprobe::results
