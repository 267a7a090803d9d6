#include "results/hashed_tuples.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <charconv>
#include <fstream>
#include <map>
#include <optional>
#include <tuple>
#include <vector>
#include <algorithm>

#include "core/errors.hpp"

namespace tlsprobe::results {
namespace {

struct Endpoint {
    std::string ip;
    std::uint16_t port = 0;
};

// "198.18.4.2:55847" or "2001:db8::2:55847": the port follows the last colon.
std::optional<Endpoint> parse_endpoint(std::string_view text)
{
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
        return std::nullopt;
    }
    Endpoint endpoint{std::string(text.substr(0, colon)), 0};
    const auto digits = text.substr(colon + 1);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), endpoint.port);
    if (ec != std::errc{} || end != digits.data() + digits.size()) {
        return std::nullopt;
    }
    return endpoint;
}

}  // namespace

std::size_t use_server_side_tuples(std::vector<prober::ProbeRecord>& records, const std::filesystem::path& verdicts_file)
{
    std::ifstream in(verdicts_file);
    if (!in) {
        throw core::InputError("cannot read " + verdicts_file.string());
    }
    std::map<std::uint64_t, std::pair<Endpoint, Endpoint>> server_side;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        boost::system::error_code ec;
        const auto value = boost::json::parse(line, ec);
        const auto where = fmt::format("{}:{}", verdicts_file.string(), number);
        if (ec || !value.is_object()) {
            throw core::InputError(where + ": not a JSON object");
        }
        const auto& verdict = value.as_object();
        const auto* id = verdict.if_contains("probe_id");
        const auto* server = verdict.if_contains("server");
        if (id == nullptr || server == nullptr || !server->is_object()) {
            continue;
        }
        const auto* tuple = server->as_object().if_contains("tuple");
        if (tuple == nullptr || !tuple->is_string()) {
            throw core::InputError(where + ": \"server\" has no \"tuple\"");
        }
        const std::string_view text = tuple->as_string();
        const auto arrow = text.find(" -> ");
        const auto client = arrow == std::string_view::npos ? std::nullopt : parse_endpoint(text.substr(0, arrow));
        const auto target = arrow == std::string_view::npos ? std::nullopt : parse_endpoint(text.substr(arrow + 4));
        if (!client || !target) {
            throw core::InputError(where + ": server tuple \"" + std::string(text) + "\" is not ADDR:PORT -> ADDR:PORT");
        }
        server_side[id->to_number<std::uint64_t>()] = {*client, *target};
    }
    std::size_t moved = 0;
    // Attempts are numbered again per tuple, in probe order: a proxy that
    // reuses one of its ports for a later connection probes that tuple again.
    std::map<std::tuple<std::string, std::uint16_t, std::string, std::uint16_t>, std::uint32_t> attempts;
    std::vector<prober::ProbeRecord*> in_order;
    for (auto& record : records) {
        in_order.push_back(&record);
    }
    std::sort(in_order.begin(), in_order.end(),
              [](const prober::ProbeRecord* a, const prober::ProbeRecord* b) { return a->probe_id < b->probe_id; });
    for (auto* probe : in_order) {
        auto& record = *probe;
        const auto found = server_side.find(record.probe_id);
        if (found == server_side.end()) {
            continue;
        }
        const auto& [client, target] = found->second;
        if (client.ip == record.src_ip && client.port == record.src_port && target.ip == record.dst_ip &&
            target.port == record.dst_port) {
            continue;
        }
        record.src_ip = client.ip;
        record.src_port = client.port;
        record.dst_ip = target.ip;
        record.dst_port = target.port;
        record.attempt = ++attempts[{record.src_ip, record.src_port, record.dst_ip, record.dst_port}];
        ++moved;
    }
    return moved;
}

}  // namespace tlsprobe::results
