#include "results/flow_join.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <string>
#include <tuple>
#include <unordered_map>

namespace tlsprobe::results {
namespace {

std::int64_t start_of(const FlowEvidence& flow)
{
    return flow.syn ? flow.syn->packet.t_ns : flow.first_ns;
}

using Tuple = std::tuple<std::string, std::uint16_t, std::string, std::uint16_t>;

Tuple tuple_of(const FlowEvidence& flow)
{
    return {flow.client_ip, flow.client_port, flow.server_ip, flow.server_port};
}

ClockOffset estimate_offset(std::span<const FlowEvidence> client, std::span<const FlowEvidence> server,
                            const FlowJoin& join)
{
    std::vector<std::int64_t> deltas;
    for (std::size_t i = 0; i < client.size(); ++i) {
        if (const auto& joined = join.server_of_client[i]) {
            deltas.push_back(start_of(server[joined->server]) - start_of(client[i]));
        }
    }
    if (deltas.empty()) {
        return {};
    }
    std::sort(deltas.begin(), deltas.end());
    const auto at = [&](double q) { return deltas[static_cast<std::size_t>(q * static_cast<double>(deltas.size() - 1))]; };
    return {at(0.5), (at(0.9) - at(0.1)) / 2, deltas.size()};
}

// Pairs still-unjoined client flows with unused server flows accepted by
// `eligible`, nearest start first (after the offset), within the window.
template <typename Eligible>
void join_by_time(std::span<const FlowEvidence> client, std::span<const FlowEvidence> server, FlowJoin& join,
                  std::vector<bool>& used, JoinKey key, std::int64_t window_ns, Eligible eligible)
{
    struct Candidate {
        std::int64_t distance;
        std::size_t client;
        std::size_t server;
    };
    std::vector<Candidate> candidates;
    for (std::size_t c = 0; c < client.size(); ++c) {
        if (join.server_of_client[c]) {
            continue;
        }
        const std::int64_t expected = start_of(client[c]) + join.offset.median_ns;
        for (std::size_t s = 0; s < server.size(); ++s) {
            if (used[s] || !eligible(client[c], server[s])) {
                continue;
            }
            const std::int64_t distance = std::llabs(start_of(server[s]) - expected);
            if (distance <= window_ns) {
                candidates.push_back({distance, c, s});
            }
        }
    }
    std::sort(candidates.begin(), candidates.end(),
              [](const Candidate& a, const Candidate& b) { return a.distance < b.distance; });
    for (const auto& candidate : candidates) {
        if (!join.server_of_client[candidate.client] && !used[candidate.server]) {
            join.server_of_client[candidate.client] = JoinedFlow{candidate.server, key};
            used[candidate.server] = true;
        }
    }
}

}  // namespace

std::string_view to_string(JoinKey key)
{
    switch (key) {
    case JoinKey::client_random:
        return "client_random";
    case JoinKey::isn_tsval:
        return "isn_tsval";
    case JoinKey::tuple_time:
        return "tuple_time";
    case JoinKey::middlebox_time:
        break;
    }
    return "middlebox_time";
}

FlowJoin join_flows(std::span<const FlowEvidence> client, std::span<const FlowEvidence> server, JoinOptions options)
{
    FlowJoin join;
    join.server_of_client.resize(client.size());
    std::vector<bool> used(server.size(), false);

    std::unordered_map<std::string, std::size_t> by_random;
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::size_t> by_isn;
    for (std::size_t s = 0; s < server.size(); ++s) {
        if (server[s].client_hello && !server[s].client_hello->random.empty()) {
            by_random.emplace(server[s].client_hello->random, s);
        }
        if (server[s].syn && server[s].syn->tsval) {
            by_isn.emplace(std::pair{server[s].syn->isn, *server[s].syn->tsval}, s);
        }
    }
    for (std::size_t c = 0; c < client.size(); ++c) {
        if (!client[c].client_hello) {
            continue;
        }
        if (const auto found = by_random.find(client[c].client_hello->random);
            found != by_random.end() && !used[found->second]) {
            join.server_of_client[c] = JoinedFlow{found->second, JoinKey::client_random};
            used[found->second] = true;
        }
    }
    for (std::size_t c = 0; c < client.size(); ++c) {
        if (join.server_of_client[c] || !client[c].syn || !client[c].syn->tsval) {
            continue;
        }
        if (const auto found = by_isn.find({client[c].syn->isn, *client[c].syn->tsval});
            found != by_isn.end() && !used[found->second]) {
            join.server_of_client[c] = JoinedFlow{found->second, JoinKey::isn_tsval};
            used[found->second] = true;
        }
    }
    join.offset = estimate_offset(client, server, join);

    join_by_time(client, server, join, used, JoinKey::tuple_time, options.window_ns,
                 [](const FlowEvidence& c, const FlowEvidence& s) { return tuple_of(c) == tuple_of(s); });
    // A server-side flow whose client address never appears at the client
    // vantage came from something in between.
    std::vector<std::string> client_addresses;
    for (const auto& flow : client) {
        client_addresses.push_back(flow.client_ip);
    }
    std::sort(client_addresses.begin(), client_addresses.end());
    join_by_time(client, server, join, used, JoinKey::middlebox_time, options.window_ns,
                 [&](const FlowEvidence& c, const FlowEvidence& s) {
                     return c.server_port == s.server_port &&
                            !std::binary_search(client_addresses.begin(), client_addresses.end(), s.client_ip);
                 });
    for (std::size_t s = 0; s < server.size(); ++s) {
        if (!used[s]) {
            join.unjoined_server.push_back(s);
        }
    }
    return join;
}

}  // namespace tlsprobe::results
