#include "lab/ground_truth.hpp"

#include <boost/json.hpp>

#include <fmt/format.h>
#include <fstream>
#include <sstream>

#include "core/errors.hpp"

namespace tlsprobe::lab {

namespace {

using results::FlowTuple;

std::optional<FlowTuple> tuple_from_json(const boost::json::object& line)
{
    const auto* src_port = line.if_contains("src_port");
    if (src_port == nullptr || src_port->is_null()) {
        return std::nullopt;
    }
    FlowTuple tuple;
    tuple.src = boost::asio::ip::make_address(std::string(line.at("src_ip").as_string()));
    tuple.src_port = boost::json::value_to<std::uint16_t>(*src_port);
    tuple.dst = boost::asio::ip::make_address(std::string(line.at("dst_ip").as_string()));
    tuple.dst_port = boost::json::value_to<std::uint16_t>(line.at("dst_port"));
    if (tuple.src_port == 0) {
        return std::nullopt;
    }
    return tuple;
}

FlowTuple tuple_from_text(const std::string& line)
{
    std::istringstream in(line);
    std::string src;
    std::string dst;
    unsigned src_port = 0;
    unsigned dst_port = 0;
    std::string rest;
    if (!(in >> src >> src_port >> dst >> dst_port) || (in >> rest) || src_port > 65535 || dst_port > 65535) {
        throw std::invalid_argument("expected \"src_ip src_port dst_ip dst_port\" or a JSON object");
    }
    return {boost::asio::ip::make_address(src), static_cast<std::uint16_t>(src_port), boost::asio::ip::make_address(dst),
            static_cast<std::uint16_t>(dst_port)};
}

// The relay sees the client's connection after the proxy's DNAT, so its
// log names the relay's own address as destination: key on the source.
std::string source_key(const FlowTuple& tuple)
{
    return fmt::format("{}:{}", tuple.src.to_string(), tuple.src_port);
}

}  // namespace

std::string_view to_string(BucketFate fate)
{
    switch (fate) {
    case BucketFate::healthy:
        return "healthy";
    case BucketFate::faulty:
        return "faulty";
    case BucketFate::reset:
        return "reset";
    case BucketFate::unmapped:
        return "unmapped";
    case BucketFate::unknown:
        return "unknown";
    }
    return "unknown";
}

TuplesFile read_tuples(const std::filesystem::path& file)
{
    std::ifstream in(file);
    if (!in) {
        throw core::InputError("tuples", fmt::format(" {}: cannot open the file", file.string()));
    }
    TuplesFile out;
    std::string line;
    std::size_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (line.find_first_not_of(" \t\r") == std::string::npos || line.front() == '#') {
            continue;
        }
        try {
            if (line.front() != '{') {
                out.tuples.push_back({tuple_from_text(line), {}});
                continue;
            }
            const auto document = boost::json::parse(line).as_object();
            auto tuple = tuple_from_json(document);
            if (!tuple) {
                ++out.without_tuple;
                continue;
            }
            ProbeTuple probe{*tuple, {}};
            for (const auto* field : {"probe_id", "attempt"}) {
                if (const auto* value = document.if_contains(field)) {
                    probe.ids[field] = *value;
                }
            }
            out.tuples.push_back(std::move(probe));
        } catch (const std::exception& error) {
            throw core::InputError("tuples", fmt::format(" {}:{}: {}", file.string(), number, error.what()));
        }
    }
    return out;
}

BucketRule::BucketRule(const LabConfig& config) : config_(config)
{
    if (!config.uses_hash_map()) {
        model_ = results::parse_hash_model(config.hash_model_spec());
    }
}

std::optional<std::uint32_t> BucketRule::bucket(const FlowTuple& tuple) const
{
    if (model_) {
        return model_->bucket(tuple);
    }
    const auto found = config_.hash_map.find(tuple.src_port);
    if (found == config_.hash_map.end()) {
        return std::nullopt;
    }
    return found->second;
}

BucketFate BucketRule::fate(std::optional<std::uint32_t> bucket) const
{
    if (!bucket) {
        return BucketFate::unmapped;
    }
    if (config_.is_faulty(*bucket)) {
        return BucketFate::faulty;
    }
    if (config_.is_reset(*bucket)) {
        return BucketFate::reset;
    }
    return BucketFate::healthy;
}

RelayConnections RelayConnections::load(const std::filesystem::path& file)
{
    RelayConnections out;
    std::ifstream in(file);
    std::string line;
    std::size_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        try {
            const auto document = boost::json::parse(line).as_object();
            const auto client = tuple_from_json(document.at("client").as_object());
            const auto upstream = tuple_from_json(document.at("upstream").as_object());
            if (client && upstream) {
                out.by_client_[source_key(*client)].push_back(*upstream);
            }
        } catch (const std::exception& error) {
            throw core::InputError(fmt::format("{}:{}: {}", file.string(), number, error.what()));
        }
    }
    return out;
}

std::optional<FlowTuple> RelayConnections::take(const FlowTuple& client)
{
    const auto found = by_client_.find(source_key(client));
    if (found == by_client_.end()) {
        return std::nullopt;
    }
    auto& next = taken_[found->first];
    if (next >= found->second.size()) {
        return std::nullopt;
    }
    return found->second[next++];
}

std::string tuple_key(const FlowTuple& tuple)
{
    return fmt::format("{}:{}>{}:{}", tuple.src.to_string(), tuple.src_port, tuple.dst.to_string(), tuple.dst_port);
}

boost::json::object tuple_json(const FlowTuple& tuple)
{
    return {{"src_ip", tuple.src.to_string()},
            {"src_port", tuple.src_port},
            {"dst_ip", tuple.dst.to_string()},
            {"dst_port", tuple.dst_port}};
}

}  // namespace tlsprobe::lab
