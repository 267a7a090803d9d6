#include "prober/probe_record.hpp"

#include <boost/json.hpp>

#include <array>
#include <utility>

#include "core/errors.hpp"

namespace tlsprobe::prober {
namespace {

constexpr std::array<std::string_view, outcome_count> outcome_names{
    "ok",
    "connect_timeout",
    "connect_refused",
    "connect_error",
    "handshake_timeout",
    "handshake_eof",
    "handshake_reset",
    "tls_alert",
    "cert_error",
    "not_tls",
    "midstream_reset",
    "midstream_close",
    "midstream_timeout",
    "local_error",
    "interrupted",
};

using PhaseMember = std::optional<std::int64_t> PhaseTimes::*;
constexpr std::array<std::pair<std::string_view, PhaseMember>, 10> phase_fields{{
    {"t_scheduled", &PhaseTimes::scheduled},
    {"t_connect_start", &PhaseTimes::connect_start},
    {"t_established", &PhaseTimes::established},
    {"t_client_hello", &PhaseTimes::client_hello},
    {"t_server_hello", &PhaseTimes::server_hello},
    {"t_handshake_done", &PhaseTimes::handshake_done},
    {"t_request", &PhaseTimes::request},
    {"t_first_byte", &PhaseTimes::first_byte},
    {"t_done", &PhaseTimes::done},
    {"t_closed", &PhaseTimes::closed},
}};

using TextMember = std::string ProbeRecord::*;
constexpr std::array<std::pair<std::string_view, TextMember>, 10> text_fields{{
    {"src_ip", &ProbeRecord::src_ip},
    {"dst_ip", &ProbeRecord::dst_ip},
    {"tls_version", &ProbeRecord::tls_version},
    {"cipher", &ProbeRecord::cipher},
    {"group", &ProbeRecord::group},
    {"alpn", &ProbeRecord::alpn},
    {"client_random", &ProbeRecord::client_random},
    {"server_cert_sha256", &ProbeRecord::server_cert_sha256},
    {"error", &ProbeRecord::error},
    {"alert", &ProbeRecord::alert},
}};

boost::json::object tcp_info_json(const TcpInfoSnapshot& info)
{
    return {
        {"retransmits", info.retransmits},
        {"unacked", info.unacked},
        {"bytes_acked", info.bytes_acked},
        {"rtt_us", info.rtt_us},
        {"rtt_var_us", info.rtt_var_us},
    };
}

// Reads typed fields out of one JSON object and names the field in errors.
class FieldReader {
public:
    explicit FieldReader(const boost::json::object& object) : object_(object) {}

    [[nodiscard]] const boost::json::value* find(std::string_view name) const
    {
        const auto* value = object_.if_contains(name);
        return value == nullptr || value->is_null() ? nullptr : value;
    }

    template <typename Integer>
    [[nodiscard]] Integer integer(std::string_view name) const
    {
        const auto* value = find(name);
        if (value == nullptr) {
            throw core::InputError("field \"" + std::string(name) + "\" is missing");
        }
        return integer_value<Integer>(name, *value);
    }

    template <typename Integer>
    [[nodiscard]] std::optional<Integer> optional_integer(std::string_view name) const
    {
        const auto* value = find(name);
        if (value == nullptr) {
            return std::nullopt;
        }
        return integer_value<Integer>(name, *value);
    }

    [[nodiscard]] std::string text(std::string_view name) const
    {
        const auto* value = find(name);
        if (value == nullptr) {
            return {};
        }
        if (!value->is_string()) {
            throw core::InputError("field \"" + std::string(name) + "\" is not a string");
        }
        return std::string(value->get_string());
    }

    [[nodiscard]] std::optional<bool> flag(std::string_view name) const
    {
        const auto* value = find(name);
        if (value == nullptr) {
            return std::nullopt;
        }
        if (!value->is_bool()) {
            throw core::InputError("field \"" + std::string(name) + "\" is not true or false");
        }
        return value->get_bool();
    }

    [[nodiscard]] std::optional<TcpInfoSnapshot> tcp_info(std::string_view name) const
    {
        const auto* value = find(name);
        if (value == nullptr) {
            return std::nullopt;
        }
        if (!value->is_object()) {
            throw core::InputError("field \"" + std::string(name) + "\" is not an object");
        }
        const FieldReader inner(value->get_object());
        return TcpInfoSnapshot{
            .retransmits = inner.integer<std::uint32_t>("retransmits"),
            .unacked = inner.integer<std::uint32_t>("unacked"),
            .bytes_acked = inner.integer<std::uint64_t>("bytes_acked"),
            .rtt_us = inner.integer<std::uint32_t>("rtt_us"),
            .rtt_var_us = inner.integer<std::uint32_t>("rtt_var_us"),
        };
    }

private:
    template <typename Integer>
    static Integer integer_value(std::string_view name, const boost::json::value& value)
    {
        boost::system::error_code ec;
        const auto number = value.to_number<Integer>(ec);
        if (ec) {
            throw core::InputError("field \"" + std::string(name) + "\" is not an integer in range");
        }
        return number;
    }

    const boost::json::object& object_;
};

}  // namespace

std::string_view to_string(Outcome outcome)
{
    return outcome_names.at(static_cast<std::size_t>(outcome));
}

std::optional<Outcome> outcome_from_string(std::string_view name)
{
    for (std::size_t i = 0; i < outcome_names.size(); ++i) {
        if (outcome_names[i] == name) {
            return static_cast<Outcome>(i);
        }
    }
    return std::nullopt;
}

bool judges_the_path(Outcome outcome)
{
    return outcome != Outcome::local_error && outcome != Outcome::interrupted;
}

bool is_path_failure(Outcome outcome)
{
    return outcome != Outcome::ok && judges_the_path(outcome);
}

boost::json::object to_json(const ProbeRecord& record)
{
    boost::json::object out;
    out["probe_id"] = record.probe_id;
    out["attempt"] = record.attempt;
    out["src_ip"] = record.src_ip;
    out["src_port"] = record.src_port;
    out["dst_ip"] = record.dst_ip;
    out["dst_port"] = record.dst_port;
    out["outcome"] = to_string(record.outcome);
    for (const auto& [name, member] : phase_fields) {
        if (const auto& value = record.t.*member) {
            out[name] = *value;
        }
    }
    if (record.tcp_at_client_hello) {
        out["tcp_at_client_hello"] = tcp_info_json(*record.tcp_at_client_hello);
    }
    if (record.tcp_at_end) {
        out["tcp_at_end"] = tcp_info_json(*record.tcp_at_end);
    }
    if (record.client_hello_acked) {
        out["client_hello_acked"] = *record.client_hello_acked;
    }
    if (record.client_hello_bytes != 0) {
        out["client_hello_bytes"] = record.client_hello_bytes;
    }
    for (const auto& [name, member] : text_fields) {
        if (name != "src_ip" && name != "dst_ip" && !(record.*member).empty()) {
            out[name] = record.*member;
        }
    }
    if (record.http_status != 0) {
        out["http_status"] = record.http_status;
    }
    if (!record.tls_version.empty()) {
        out["resumed"] = record.resumed;
    }
    if (!record.alert_from.empty()) {
        out["alert_from"] = record.alert_from;
    }
    return out;
}

ProbeRecord probe_record_from_json(const boost::json::object& object)
{
    const FieldReader fields(object);
    ProbeRecord record;
    record.probe_id = fields.integer<std::uint64_t>("probe_id");
    record.attempt = fields.integer<std::uint32_t>("attempt");
    record.src_port = fields.integer<std::uint16_t>("src_port");
    record.dst_port = fields.integer<std::uint16_t>("dst_port");
    const auto outcome_name = fields.text("outcome");
    const auto outcome = outcome_from_string(outcome_name);
    if (!outcome) {
        throw core::InputError("field \"outcome\" has unknown value \"" + outcome_name + "\"");
    }
    record.outcome = *outcome;
    for (const auto& [name, member] : phase_fields) {
        record.t.*member = fields.optional_integer<std::int64_t>(name);
    }
    record.tcp_at_client_hello = fields.tcp_info("tcp_at_client_hello");
    record.tcp_at_end = fields.tcp_info("tcp_at_end");
    record.client_hello_acked = fields.flag("client_hello_acked");
    record.client_hello_bytes = fields.optional_integer<std::uint32_t>("client_hello_bytes").value_or(0);
    for (const auto& [name, member] : text_fields) {
        record.*member = fields.text(name);
    }
    record.http_status = fields.optional_integer<std::uint16_t>("http_status").value_or(0);
    record.resumed = fields.flag("resumed").value_or(false);
    record.alert_from = fields.text("alert_from");
    return record;
}

}  // namespace tlsprobe::prober
