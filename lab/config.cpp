#include "lab/config.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <fmt/format.h>
#include <fstream>
#include <set>
#include <span>
#include <string>

#include "core/errors.hpp"
#include "core/text_lines.hpp"

namespace tlsprobe::lab {

namespace {


void check_buckets(std::span<const std::uint32_t> list, const std::string& field, std::uint32_t buckets)
{
    std::set<std::uint32_t> seen;
    for (const auto bucket : list) {
        if (bucket >= buckets) {
            throw core::UsageError(
                field, fmt::format(": bucket {} is outside 0..{} (`buckets` {})", bucket, buckets - 1, buckets));
        }
        if (!seen.insert(bucket).second) {
            throw core::UsageError(field, fmt::format(": bucket {} is listed twice", bucket));
        }
    }
}

template <typename T>
bool parse_number(std::string_view text, T& value)
{
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    return ec == std::errc{} && ptr == end;
}

std::vector<std::uint32_t> buckets_from_json(const boost::json::value& value)
{
    std::vector<std::uint32_t> out;
    for (const auto& item : value.as_array()) {
        out.push_back(boost::json::value_to<std::uint32_t>(item));
    }
    return out;
}

}  // namespace

bool LabConfig::is_faulty(std::uint32_t bucket) const
{
    return std::find(faulty.begin(), faulty.end(), bucket) != faulty.end();
}

bool LabConfig::is_reset(std::uint32_t bucket) const
{
    return std::find(reset_buckets.begin(), reset_buckets.end(), bucket) != reset_buckets.end();
}

std::string LabConfig::hash_model_spec() const
{
    if (uses_hash_map()) {
        return {};
    }
    return fmt::format("jhash:seed={:#x},mod={}", seed, buckets);
}

void validate(const LabConfig& config)
{
    if (config.nodes < 1 || config.nodes > max_nodes) {
        throw core::UsageError("nodes", fmt::format(" {} is outside 1..{}", config.nodes, max_nodes));
    }
    if (config.buckets < 1 || config.buckets > max_buckets) {
        throw core::UsageError("buckets", fmt::format(" {} is outside 1..{}", config.buckets, max_buckets));
    }
    check_buckets(config.faulty, "faulty", config.buckets);
    check_buckets(config.reset_buckets, "reset_buckets", config.buckets);
    for (const auto bucket : config.faulty) {
        if (config.is_reset(bucket)) {
            throw core::UsageError(fmt::format("bucket {} is in both `faulty` and `reset_buckets`", bucket));
        }
    }
    if (!config.faulty.empty() && config.nodes < 2) {
        throw core::UsageError("faulty", " needs `nodes` 2 or more: a split flow needs a second node to go to");
    }
    if (!(config.split_prob > 0.0 && config.split_prob <= 1.0)) {
        throw core::UsageError("split_prob", fmt::format(" {} is outside (0, 1]", config.split_prob));
    }
    if (!(config.loss_pct >= 0.0 && config.loss_pct < 100.0)) {
        throw core::UsageError("loss", fmt::format(" {} is outside [0, 100)", config.loss_pct));
    }
    for (const auto& [port, bucket] : config.hash_map) {
        if (bucket >= config.buckets) {
            throw core::UsageError("hash_map", fmt::format(" {}: port {} maps to bucket {}, outside 0..{}",
                                                           config.hash_map_file.string(), port, bucket,
                                                           config.buckets - 1));
        }
    }
}

HashMap load_hash_map(const std::filesystem::path& file, std::uint32_t buckets)
{
    std::ifstream in(file);
    if (!in) {
        throw core::InputError("hash_map", fmt::format(" {}: cannot open the file", file.string()));
    }
    HashMap map;
    std::string line;
    std::size_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        std::string_view text = line;
        text = core::entry_of_line(text);
        if (text.empty()) {
            continue;
        }
        const auto bad = [&](std::string_view why) {
            return core::InputError("hash_map", fmt::format(" {}:{}: {} (expected \"source_port bucket\")",
                                                            file.string(), number, why));
        };
        const auto gap = text.find_first_of(" \t");
        if (gap == std::string_view::npos) {
            throw bad(fmt::format("\"{}\" has one field", text));
        }
        const auto port_text = text.substr(0, gap);
        const auto bucket_text = core::trim(text.substr(gap));
        std::uint16_t port = 0;
        std::uint32_t bucket = 0;
        if (!parse_number(port_text, port) || port == 0) {
            throw bad(fmt::format("\"{}\" is not a port in 1..65535", port_text));
        }
        if (!parse_number(bucket_text, bucket)) {
            throw bad(fmt::format("\"{}\" is not a bucket number", bucket_text));
        }
        if (bucket >= buckets) {
            throw bad(fmt::format("bucket {} is outside 0..{} (`buckets` {})", bucket, buckets - 1, buckets));
        }
        if (!map.emplace(port, bucket).second) {
            throw bad(fmt::format("port {} is mapped twice", port));
        }
    }
    if (in.bad()) {
        throw core::InputError("hash_map", fmt::format(" {}: read error", file.string()));
    }
    if (map.empty()) {
        throw core::InputError("hash_map", fmt::format(" {}: no \"source_port bucket\" line", file.string()));
    }
    return map;
}

boost::json::value to_json(const LabConfig& config)
{
    boost::json::object out;
    out["nodes"] = config.nodes;
    out["buckets"] = config.buckets;
    if (config.uses_hash_map()) {
        out["hash"] = "map";
        out["hash_map_file"] = config.hash_map_file.string();
        boost::json::array entries;
        for (const auto& [port, bucket] : config.hash_map) {
            entries.push_back(boost::json::array{port, bucket});
        }
        out["hash_map"] = std::move(entries);
    } else {
        out["hash"] = config.hash_model_spec();
        out["seed"] = config.seed;
    }
    out["faulty"] = boost::json::value_from(config.faulty);
    out["split_prob"] = config.split_prob;
    out["loss_pct"] = config.loss_pct;
    out["reset_buckets"] = boost::json::value_from(config.reset_buckets);
    out["proxy"] = config.proxy;
    out["lb_sloppy"] = config.lb_sloppy;
    out["server_behaviour"] = to_string(config.server_behaviour);
    return out;
}

LabConfig config_from_json(const boost::json::value& document, std::string_view origin)
{
    try {
        const auto& in = document.as_object();
        LabConfig config;
        config.nodes = boost::json::value_to<std::uint32_t>(in.at("nodes"));
        config.buckets = boost::json::value_to<std::uint32_t>(in.at("buckets"));
        if (in.at("hash").as_string() == "map") {
            config.hash_map_file = std::string(in.at("hash_map_file").as_string());
            for (const auto& entry : in.at("hash_map").as_array()) {
                const auto& pair = entry.as_array();
                config.hash_map.emplace(boost::json::value_to<std::uint16_t>(pair.at(0)),
                                        boost::json::value_to<std::uint32_t>(pair.at(1)));
            }
        } else {
            config.seed = boost::json::value_to<std::uint32_t>(in.at("seed"));
        }
        config.faulty = buckets_from_json(in.at("faulty"));
        config.split_prob = in.at("split_prob").to_number<double>();
        config.loss_pct = in.at("loss_pct").to_number<double>();
        config.reset_buckets = buckets_from_json(in.at("reset_buckets"));
        config.proxy = in.at("proxy").as_bool();
        config.lb_sloppy = in.at("lb_sloppy").as_bool();
        config.server_behaviour =
            in.at("server_behaviour").as_string() == "silent" ? ServerBehaviour::silent : ServerBehaviour::normal;
        return config;
    } catch (const std::exception& error) {
        throw core::InputError(fmt::format("{}: not a lab configuration: {}", origin, error.what()));
    }
}

}  // namespace tlsprobe::lab
