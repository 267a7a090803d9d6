#pragma once
// Ground truth of the lab: for each tuple a probe used, the bucket the
// switch puts it in and what the lab does to that bucket, computed with the
// same hash model (results/hash_model.hpp) that the bucket inference uses.
#include <boost/json/object.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lab/config.hpp"
#include "results/hash_model.hpp"

namespace tlsprobe::lab {

enum class BucketFate {
    healthy,
    // Non-SYN packets go to a node that never saw the SYN.
    faulty,
    // Application data is answered with a TCP reset by the switch.
    reset,
    // The hash map has no entry for the source port: the switch drops the flow.
    unmapped,
    // The tuple at the switch is not known (the relay logged no connection for it).
    unknown,
};

[[nodiscard]] std::string_view to_string(BucketFate fate);

// One tuple to judge, with the identifying fields of its probes.jsonl line.
struct ProbeTuple {
    results::FlowTuple tuple;
    // probe_id and attempt when the line had them.
    boost::json::object ids;
};

struct TuplesFile {
    std::vector<ProbeTuple> tuples;
    // Lines of a probes.jsonl without a source port (the probe never got one).
    std::size_t without_tuple = 0;
};

// Reads JSON Lines with src_ip, src_port, dst_ip, dst_port (a probes.jsonl)
// or text lines "src_ip src_port dst_ip dst_port". Throws core::InputError naming
// the file and line of the first malformed line.
[[nodiscard]] TuplesFile read_tuples(const std::filesystem::path& file);

// The switch's rule: jhash through the hash model, or the hash map.
class BucketRule {
public:
    explicit BucketRule(const LabConfig& config);
    [[nodiscard]] std::optional<std::uint32_t> bucket(const results::FlowTuple& tuple) const;
    [[nodiscard]] BucketFate fate(std::optional<std::uint32_t> bucket) const;

private:
    const LabConfig& config_;
    std::unique_ptr<results::HashModel> model_;
};

// The relay's log: which upstream tuple carried each client connection.
// A client tuple used more than once maps to its connections in order.
class RelayConnections {
public:
    // Throws core::InputError naming the file and line of a malformed line.
    static RelayConnections load(const std::filesystem::path& file);
    // The upstream tuple of the next not yet taken connection from `client`.
    [[nodiscard]] std::optional<results::FlowTuple> take(const results::FlowTuple& client);

private:
    std::map<std::string, std::vector<results::FlowTuple>> by_client_;
    std::map<std::string, std::size_t> taken_;
};

[[nodiscard]] std::string tuple_key(const results::FlowTuple& tuple);
[[nodiscard]] boost::json::object tuple_json(const results::FlowTuple& tuple);

}  // namespace tlsprobe::lab
