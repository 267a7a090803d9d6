#include "lab/status.hpp"

#include <boost/json.hpp>

#include <fmt/format.h>
#include <map>
#include <vector>

#include "lab/ground_truth.hpp"
#include "lab/lab.hpp"
#include "lab/nft_rules.hpp"
#include "lab/process.hpp"
#include "lab/topology.hpp"
#include "core/errors.hpp"
#include "reports/text_table.hpp"

namespace tlsprobe::lab {

namespace {

// The named counters and sets of one nft table.
struct NftTable {
    std::map<std::string, std::uint64_t> counters;
    std::map<std::string, std::vector<results::FlowTuple>> sets;
};

std::optional<results::FlowTuple> element_tuple(const boost::json::value& element)
{
    // A timed element is {"elem": {"val": {"concat": [...]}, ...}}; a plain one is {"concat": [...]}.
    const auto* value = &element;
    if (const auto* timed = value->as_object().if_contains("elem")) {
        value = &timed->as_object().at("val");
    }
    const auto* concat = value->as_object().if_contains("concat");
    if (concat == nullptr || concat->as_array().size() != 4) {
        return std::nullopt;
    }
    const auto& fields = concat->as_array();
    return results::FlowTuple{boost::asio::ip::make_address(std::string(fields[0].as_string())),
                              boost::json::value_to<std::uint16_t>(fields[1]),
                              boost::asio::ip::make_address(std::string(fields[2].as_string())),
                              boost::json::value_to<std::uint16_t>(fields[3])};
}

NftTable read_table(const std::string& netns, std::string_view table)
{
    const std::vector<std::string> argv{"ip", "netns", "exec", netns, "nft", "-j", "list", "table", "ip", std::string(table)};
    const auto text = run_checked(argv);
    NftTable out;
    try {
        const auto document = boost::json::parse(text);
        for (const auto& item : document.at("nftables").as_array()) {
            const auto& object = item.as_object();
            if (const auto* counter = object.if_contains("counter")) {
                out.counters[std::string(counter->at("name").as_string())] =
                    boost::json::value_to<std::uint64_t>(counter->at("packets"));
            } else if (const auto* set = object.if_contains("set")) {
                auto& elements = out.sets[std::string(set->at("name").as_string())];
                if (const auto* list = set->as_object().if_contains("elem")) {
                    for (const auto& element : list->as_array()) {
                        if (auto tuple = element_tuple(element)) {
                            elements.push_back(*tuple);
                        }
                    }
                }
            }
        }
    } catch (const std::exception& error) {
        throw core::EnvironmentError(fmt::format("cannot read `{}`: {}", describe_command(argv), error.what()));
    }
    return out;
}

boost::json::object tuples_document(const LabConfig& config, const BucketRule& rule, const std::filesystem::path& file,
                                    const NftTable& sw, LabStatus& status)
{
    const auto input = read_tuples(file);
    // The switch's record: flow tuple -> bucket whose SYN rule saw it.
    std::map<std::string, std::uint32_t> seen;
    for (std::uint32_t bucket = 0; bucket < config.buckets; ++bucket) {
        if (const auto found = sw.sets.find(bucket_flow_set(bucket)); found != sw.sets.end()) {
            for (const auto& tuple : found->second) {
                seen[tuple_key(tuple)] = bucket;
            }
        }
    }
    std::optional<RelayConnections> relay;
    if (config.proxy) {
        relay = RelayConnections::load(StateFiles::relay_connections());
    }
    boost::json::array tuples;
    std::size_t seen_count = 0;
    std::size_t agree = 0;
    std::map<std::string_view, std::size_t> by_fate;
    for (const auto& probe : input.tuples) {
        boost::json::object entry = probe.ids;
        for (auto& [key, value] : tuple_json(probe.tuple)) {
            entry[key] = value;
        }
        std::optional<results::FlowTuple> hashed = probe.tuple;
        if (relay) {
            hashed = relay->take(probe.tuple);
            entry["hashed"] = hashed ? boost::json::value(tuple_json(*hashed)) : nullptr;
        }
        const auto bucket = hashed ? rule.bucket(*hashed) : std::nullopt;
        const auto fate = hashed ? rule.fate(bucket) : BucketFate::unknown;
        entry["bucket"] = bucket ? boost::json::value(*bucket) : nullptr;
        entry["fate"] = to_string(fate);
        ++by_fate[to_string(fate)];
        entry["switch_bucket"] = nullptr;
        if (hashed) {
            if (const auto found = seen.find(tuple_key(*hashed)); found != seen.end()) {
                entry["switch_bucket"] = found->second;
                ++seen_count;
                if (bucket == found->second) {
                    ++agree;
                } else {
                    ++status.disagreements;
                }
            }
        }
        tuples.push_back(std::move(entry));
    }
    boost::json::object fates;
    for (const auto& [fate, count] : by_fate) {
        fates[fate] = count;
    }
    return {{"file", file.string()},
            {"tuples", std::move(tuples)},
            {"without_tuple", input.without_tuple},
            {"fates", std::move(fates)},
            {"check",
             {{"tuples", input.tuples.size()},
              {"seen_by_switch", seen_count},
              {"agree", agree},
              {"disagree", status.disagreements}}}};
}

std::string number(const boost::json::value& value)
{
    return boost::json::serialize(value);
}

std::string bucket_table(const boost::json::array& buckets)
{
    reports::TextTable table({{.header = "bucket", .width = 6},
                              {.header = "fate", .width = 8},
                              {.header = "node", .width = 4},
                              {.header = "split_node", .width = 10},
                              {.header = "packets", .width = 8},
                              {.header = "flows", .width = 6}});
    for (const auto& item : buckets) {
        const auto& b = item.as_object();
        table.add_row({number(b.at("bucket")), std::string(b.at("fate").as_string()), number(b.at("node")),
                       b.at("split_node").is_null() ? "-" : number(b.at("split_node")), number(b.at("packets")),
                       number(b.at("flows"))});
    }
    return table.render();
}

std::string node_table(const boost::json::array& nodes)
{
    reports::TextTable table({{.header = "node", .width = 6},
                              {.header = "syn", .width = 8},
                              {.header = "forwarded", .width = 10},
                              {.header = "dropped", .width = 8}});
    for (const auto& item : nodes) {
        const auto& n = item.as_object();
        table.add_row({number(n.at("node")), number(n.at("syn")), number(n.at("forwarded")), number(n.at("dropped"))});
    }
    return table.render();
}

}  // namespace

LabStatus lab_status(const std::optional<std::filesystem::path>& tuples)
{
    LabStatus status;
    auto& doc = status.document;
    boost::json::array namespaces;
    for (const auto& netns : lab_namespaces()) {
        namespaces.emplace_back(netns);
    }
    doc["up"] = std::filesystem::exists(StateFiles::config());
    doc["namespaces"] = std::move(namespaces);
    if (!doc["up"].as_bool() && !tuples) {
        return status;
    }
    const auto config = installed_config();
    const BucketRule rule(config);
    doc["config"] = to_json(config);
    doc["addresses"] = {{"client", client_ip},
                        {"server", fmt::format("{}:{}", server_ip, server_port)},
                        {"relay", config.proxy ? boost::json::value(fmt::format("{}:{}", relay_ip, relay_port)) : nullptr}};

    const auto sw = read_table(namespace_name("switch"), switch_table);
    boost::json::array buckets;
    for (std::uint32_t bucket = 0; bucket < config.buckets; ++bucket) {
        const auto flows = sw.sets.find(bucket_flow_set(bucket));
        buckets.push_back({{"bucket", bucket},
                           {"fate", to_string(rule.fate(bucket))},
                           {"node", config.primary_node(bucket)},
                           {"split_node", config.is_faulty(bucket) ? boost::json::value(config.split_node(bucket)) : nullptr},
                           {"packets", sw.counters.at(bucket_counter(bucket))},
                           {"flows", flows == sw.sets.end() ? 0 : flows->second.size()}});
    }
    doc["switch"] = {{"lost", sw.counters.at(lost_counter)},
                     {"injected_resets", sw.counters.at(reset_counter)},
                     {"unmapped", sw.counters.at(unmapped_counter)},
                     {"buckets", std::move(buckets)}};

    boost::json::array nodes;
    for (std::uint32_t node = 0; node < config.nodes; ++node) {
        const auto lb = read_table(lb_namespace(node), lb_table);
        nodes.push_back({{"node", node},
                         {"namespace", lb_namespace(node)},
                         {"syn", lb.counters.at(lb_syn_counter)},
                         {"forwarded", lb.counters.at(lb_forwarded_counter)},
                         {"dropped", lb.counters.at(lb_dropped_counter)}});
    }
    doc["nodes"] = std::move(nodes);
    if (tuples) {
        doc["ground_truth"] = tuples_document(config, rule, *tuples, sw, status);
    }
    return status;
}

std::string status_text(const boost::json::object& document)
{
    if (!document.at("up").as_bool()) {
        std::string out = "lab is down\n";
        for (const auto& netns : document.at("namespaces").as_array()) {
            out += fmt::format("left over: namespace {}\n", netns.as_string().c_str());
        }
        return out;
    }
    std::string out = fmt::format("lab is up: {}\n", boost::json::serialize(document.at("config")));
    const auto& sw = document.at("switch").as_object();
    out += fmt::format("switch: lost {} injected_resets {} unmapped {}\n", number(sw.at("lost")),
                       number(sw.at("injected_resets")), number(sw.at("unmapped")));
    out += bucket_table(sw.at("buckets").as_array());
    out += node_table(document.at("nodes").as_array());
    if (const auto* truth = document.if_contains("ground_truth")) {
        const auto& t = truth->as_object();
        out += fmt::format("ground truth for {}: fates {}; switch check {}\n", t.at("file").as_string().c_str(),
                           boost::json::serialize(t.at("fates")), boost::json::serialize(t.at("check")));
    }
    return out;
}

}  // namespace tlsprobe::lab
