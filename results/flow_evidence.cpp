#include "results/flow_evidence.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include "core/errors.hpp"

namespace tlsprobe::results {
namespace {

namespace json = boost::json;

[[noreturn]] void bad_field(std::string_view path, std::string_view problem)
{
    throw core::InputError("flow field \"" + std::string(path) + "\" " + std::string(problem));
}

const json::value* member(const json::object& object, std::string_view name)
{
    const auto* value = object.if_contains(name);
    return value == nullptr || value->is_null() ? nullptr : value;
}

// `value`, the field (or array element) `name`, as a Number.
template <typename Number>
Number number_value(const json::value& value, std::string_view name)
{
    boost::system::error_code ec;
    const auto result = value.to_number<Number>(ec);
    if (ec) {
        bad_field(name, "is not a number in range");
    }
    return result;
}

template <typename Number>
Number number(const json::object& object, std::string_view name)
{
    const auto* value = member(object, name);
    if (value == nullptr) {
        bad_field(name, "is missing");
    }
    return number_value<Number>(*value, name);
}

template <typename Number>
std::optional<Number> optional_number(const json::object& object, std::string_view name)
{
    if (member(object, name) == nullptr) {
        return std::nullopt;
    }
    return number<Number>(object, name);
}

std::string text(const json::object& object, std::string_view name)
{
    const auto* value = member(object, name);
    if (value == nullptr) {
        return {};
    }
    if (!value->is_string()) {
        bad_field(name, "is not a string");
    }
    return std::string(value->get_string());
}

const json::object* sub_object(const json::object& object, std::string_view name)
{
    const auto* value = member(object, name);
    if (value == nullptr) {
        return nullptr;
    }
    if (!value->is_object()) {
        bad_field(name, "is not an object");
    }
    return &value->get_object();
}

const json::array& array(const json::object& object, std::string_view name)
{
    static const json::array empty;
    const auto* value = member(object, name);
    if (value == nullptr) {
        return empty;
    }
    if (!value->is_array()) {
        bad_field(name, "is not an array");
    }
    return value->get_array();
}

PacketEvidence packet(const json::object& object)
{
    return {
        .t_ns = number<std::int64_t>(object, "t_ns"),
        .ttl = number<std::uint8_t>(object, "ttl"),
        .ip_id = optional_number<std::uint16_t>(object, "ip_id"),
        .src_mac = text(object, "src_mac"),
    };
}

std::optional<SynEvidence> syn(const json::object& flow, std::string_view name)
{
    const auto* object = sub_object(flow, name);
    if (object == nullptr) {
        return std::nullopt;
    }
    return SynEvidence{
        .packet = packet(*object),
        .isn = number<std::uint32_t>(*object, "isn"),
        .tsval = optional_number<std::uint32_t>(*object, "tsval"),
        .retransmissions = number<std::uint32_t>(*object, "retransmissions"),
    };
}

std::optional<HelloEvidence> hello(const json::object& flow, std::string_view name, std::string_view random)
{
    const auto* object = sub_object(flow, name);
    if (object == nullptr) {
        return std::nullopt;
    }
    return HelloEvidence{
        .t_ns = number<std::int64_t>(*object, "t_ns"),
        .random = text(*object, random),
        .retransmissions = number<std::uint32_t>(*object, "retransmissions"),
        .length = optional_number<std::uint32_t>(*object, "length").value_or(0),
    };
}

DirectionEvidence direction(const json::object& flow, std::string_view name)
{
    const auto* object = sub_object(flow, name);
    if (object == nullptr) {
        bad_field(name, "is missing");
    }
    DirectionEvidence evidence{
        .packets = number<std::uint64_t>(*object, "packets"),
        .payload_bytes = number<std::uint64_t>(*object, "payload_bytes"),
        .ttls = {},
        .src_macs = {},
        .change_cipher_spec_ns = optional_number<std::int64_t>(*object, "change_cipher_spec_ns"),
        .alerts = {},
    };
    for (const auto& ttl : array(*object, "ttls")) {
        evidence.ttls.push_back(number_value<std::uint8_t>(ttl, "ttls"));
    }
    for (const auto& mac : array(*object, "src_macs")) {
        if (!mac.is_string()) {
            bad_field("src_macs", "holds a non-string");
        }
        evidence.src_macs.emplace_back(mac.get_string());
    }
    for (const auto& value : array(*object, "alerts")) {
        if (!value.is_object()) {
            bad_field("alerts", "holds a non-object");
        }
        const auto& alert = value.get_object();
        evidence.alerts.push_back({
            .t_ns = number<std::int64_t>(alert, "t_ns"),
            .level = number<std::uint8_t>(alert, "level"),
            .description = number<std::uint8_t>(alert, "description"),
        });
    }
    return evidence;
}

}  // namespace

FlowEvidence flow_evidence_from_json(const json::object& flow)
{
    FlowEvidence evidence;
    evidence.vantage = text(flow, "vantage");
    evidence.flow_id = number<std::uint64_t>(flow, "flow_id");
    evidence.client_ip = text(flow, "client_ip");
    evidence.client_port = number<std::uint16_t>(flow, "client_port");
    evidence.server_ip = text(flow, "server_ip");
    evidence.server_port = number<std::uint16_t>(flow, "server_port");
    evidence.first_ns = number<std::int64_t>(flow, "first_ns");
    evidence.last_ns = optional_number<std::int64_t>(flow, "last_ns");
    evidence.syn = syn(flow, "syn");
    evidence.syn_ack = syn(flow, "syn_ack");
    evidence.handshake_ack_ns = optional_number<std::int64_t>(flow, "handshake_ack_ns");
    evidence.client_hello = hello(flow, "client_hello", "client_random");
    if (const auto* client_hello = sub_object(flow, "client_hello")) {
        if (const auto* acked = sub_object(*client_hello, "acked")) {
            evidence.client_hello_acked = packet(*acked);
        }
        evidence.client_hello_pure_acks = number<std::uint32_t>(*client_hello, "pure_acks");
    }
    evidence.server_hello = hello(flow, "server_hello", "server_random");
    evidence.client_to_server = direction(flow, "client_to_server");
    evidence.server_to_client = direction(flow, "server_to_client");
    for (const auto& value : array(flow, "closes")) {
        if (!value.is_object()) {
            bad_field("closes", "holds a non-object");
        }
        const auto& close = value.get_object();
        evidence.closes.push_back({
            .rst = text(close, "kind") == "rst",
            .from_client = text(close, "from") == "client",
            .t_ns = number<std::int64_t>(close, "t_ns"),
            .rel_seq = number<std::uint32_t>(close, "rel_seq"),
            .ttl = number<std::uint8_t>(close, "ttl"),
        });
    }
    return evidence;
}

HopEstimate estimate_hops(std::uint8_t observed_ttl)
{
    for (const std::uint8_t initial : {std::uint8_t{64}, std::uint8_t{128}, std::uint8_t{255}}) {
        if (observed_ttl <= initial) {
            return {initial, static_cast<std::uint8_t>(initial - observed_ttl)};
        }
    }
    return {255, 0};
}

std::string ttl_with_hops(std::uint8_t observed_ttl)
{
    const auto hops = estimate_hops(observed_ttl);
    return fmt::format("TTL {}: {} hops from a sender starting at {}", observed_ttl, hops.hops, hops.initial_ttl);
}

}  // namespace tlsprobe::results
