#pragma once
// What `tlsprobe lab up` builds: every knob of the lab in one struct, its
// validation, and its JSON form (kept in the state directory so `status`
// reports and computes ground truth from exactly what `up` installed).
#include <boost/json/value.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include "prober/responder.hpp"

namespace tlsprobe::lab {

// What the lab's server does is what `tlsprobe serve` can do.
using prober::ServerBehaviour;
using prober::to_string;

// Source port -> bucket, as read from a --hash-map file.
using HashMap = std::map<std::uint16_t, std::uint32_t>;

struct LabConfig {
    // Load-balancer nodes behind the switch.
    std::uint32_t nodes = 2;
    // Hash buckets of the switch; bucket b goes to node b % nodes.
    std::uint32_t buckets = 8;
    // nft jhash seed (ignored when a hash map is installed).
    std::uint32_t seed = 0;
    // Where the hash map came from; empty when the switch uses jhash.
    std::filesystem::path hash_map_file;
    HashMap hash_map;
    // Buckets whose non-SYN packets go to node (b + 1) % nodes.
    std::vector<std::uint32_t> faulty;
    // Fraction of a faulty bucket's non-SYN packets that are misrouted.
    double split_prob = 1.0;
    // Percent of client-to-server packets the switch drops at random.
    double loss_pct = 0.0;
    // Buckets whose client-to-server TLS application-data packets the switch answers with a RST.
    std::vector<std::uint32_t> reset_buckets;
    // A TCP-terminating relay two routed hops from the client.
    bool proxy = false;
    // Load-balancer nodes forward packets of flows whose SYN they never saw.
    bool lb_sloppy = false;
    ServerBehaviour server_behaviour = ServerBehaviour::normal;

    [[nodiscard]] bool uses_hash_map() const { return !hash_map_file.empty(); }
    [[nodiscard]] std::uint32_t primary_node(std::uint32_t bucket) const { return bucket % nodes; }
    [[nodiscard]] std::uint32_t split_node(std::uint32_t bucket) const { return (bucket + 1) % nodes; }
    [[nodiscard]] bool is_faulty(std::uint32_t bucket) const;
    [[nodiscard]] bool is_reset(std::uint32_t bucket) const;
    // The hash model spec string of the switch ("jhash:seed=0x..,mod=N"); empty with a hash map.
    [[nodiscard]] std::string hash_model_spec() const;
};

inline constexpr std::uint32_t max_nodes = 16;
inline constexpr std::uint32_t max_buckets = 1024;

// Throws core::UsageError naming the field when a value is out of range or two
// settings contradict each other. Call after the hash map is loaded.
void validate(const LabConfig& config);

// Reads "source_port bucket" lines ('#' starts a comment, blank lines are
// skipped). Throws core::InputError naming the file and line of the first
// malformed line, a duplicate port, or a bucket outside 0..buckets-1.
[[nodiscard]] HashMap load_hash_map(const std::filesystem::path& file, std::uint32_t buckets);

[[nodiscard]] boost::json::value to_json(const LabConfig& config);
// Throws core::InputError naming `origin` when the document is not a lab configuration.
[[nodiscard]] LabConfig config_from_json(const boost::json::value& document, std::string_view origin);

}  // namespace tlsprobe::lab
