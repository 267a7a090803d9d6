#include "results/probe_matching.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>

namespace tlsprobe::results {

ProbeMatch match_probes(std::span<const prober::ProbeRecord> probes, const VantageFlows& client)
{
    std::unordered_map<std::string, std::size_t> by_random;
    std::map<std::tuple<std::uint16_t, std::string, std::uint16_t>, std::vector<std::size_t>> by_tuple;
    for (std::size_t i = 0; i < client.flows.size(); ++i) {
        const auto& flow = client.flows[i];
        if (flow.client_hello) {
            by_random.emplace(flow.client_hello->random, i);
        }
        by_tuple[{flow.client_port, flow.server_ip, flow.server_port}].push_back(i);
    }
    for (auto& [tuple, flows] : by_tuple) {
        std::sort(flows.begin(), flows.end(), [&](std::size_t a, std::size_t b) {
            return client.flows[a].first_ns < client.flows[b].first_ns;
        });
    }
    std::vector<bool> used(client.flows.size(), false);
    std::vector<const FlowEvidence*> matched(probes.size(), nullptr);
    for (std::size_t p = 0; p < probes.size(); ++p) {
        if (const auto found = by_random.find(probes[p].client_random);
            !probes[p].client_random.empty() && found != by_random.end() && !used[found->second]) {
            matched[p] = &client.flows[found->second];
            used[found->second] = true;
        }
    }
    std::vector<std::size_t> order(probes.size());
    for (std::size_t p = 0; p < probes.size(); ++p) {
        order[p] = p;
    }
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return probes[a].probe_id < probes[b].probe_id; });
    for (const auto p : order) {
        if (matched[p] != nullptr || probes[p].outcome == prober::Outcome::local_error) {
            continue;
        }
        const auto found = by_tuple.find({probes[p].src_port, probes[p].dst_ip, probes[p].dst_port});
        if (found == by_tuple.end()) {
            continue;
        }
        for (const auto i : found->second) {
            if (!used[i]) {
                matched[p] = &client.flows[i];
                used[i] = true;
                break;
            }
        }
    }
    return {.flow_of_probe = std::move(matched),
            .flows_without_probe = static_cast<std::size_t>(std::count(used.begin(), used.end(), false))};
}

}  // namespace tlsprobe::results
