#include "scenarios/run_plan.hpp"

#include <cmath>
#include <fstream>

#include "core/errors.hpp"
#include "core/text_lines.hpp"

namespace tlsprobe::scenarios {
namespace {


std::string quoted(std::string_view text)
{
    return "\"" + std::string(text) + "\"";
}

}  // namespace

std::string_view to_string(Arrival arrival)
{
    return name_of(arrival_names, arrival);
}

std::string_view to_string(TlsVersion version)
{
    return name_of(tls_version_names, version);
}

std::string_view to_string(Request request)
{
    return name_of(request_names, request);
}

std::string_view to_string(PortOrder order)
{
    return name_of(port_order_names, order);
}

PortRange parse_port_range(std::string_view text, const std::string& field)
{
    const auto dash = text.find('-');
    const auto low = core::parse_port(dash == std::string_view::npos ? text : text.substr(0, dash));
    const auto high = dash == std::string_view::npos ? low : core::parse_port(text.substr(dash + 1));
    if (!low || !high) {
        throw core::UsageError(field, ": " + quoted(text) + " is not LO-HI with ports in 1-65535");
    }
    if (*low > *high) {
        throw core::UsageError(field, ": " + quoted(text) + " is reversed (low port above high port)");
    }
    return {*low, *high};
}

std::vector<std::uint16_t> read_ports_file(const std::filesystem::path& path)
{
    std::ifstream in(path);
    if (!in) {
        throw core::UsageError("ports_file", ": cannot open " + path.string());
    }
    std::vector<std::uint16_t> ports;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        auto text = std::string_view(line);
        text = core::entry_of_line(text);
        if (text.empty()) {
            continue;
        }
        const auto port = core::parse_port(text);
        if (!port) {
            throw core::InputError(path.string() + ":" + std::to_string(number) + ": " + quoted(text) +
                             " is not a port in 1-65535");
        }
        ports.push_back(*port);
    }
    if (ports.empty()) {
        throw core::InputError(path.string() + ": no ports in the file");
    }
    return ports;
}

std::vector<std::string> validate(RunPlan& plan)
{
    std::vector<std::string> notes;
    if (plan.tls.ca_file && !std::filesystem::is_regular_file(*plan.tls.ca_file)) {
        throw core::UsageError("ca_file", ": " + plan.tls.ca_file->string() + " does not exist or is not a file");
    }
    if (plan.duration && plan.rate == 0) {
        throw core::UsageError("duration", " needs a `rate` above 0: an unpaced run is bounded by `count`");
    }
    if (!plan.allow_high_load) {
        if (plan.rate == 0 || plan.rate > default_rate_cap) {
            notes.push_back("rate capped at " + std::to_string(static_cast<int>(default_rate_cap)) +
                            " probes/s; pass `allow_high_load` to go higher");
            plan.rate = default_rate_cap;
        }
        if (plan.concurrency > default_concurrency_cap) {
            notes.push_back("concurrency capped at " + std::to_string(default_concurrency_cap) +
                            "; pass `allow_high_load` to go higher");
            plan.concurrency = default_concurrency_cap;
        }
    }
    return notes;
}

std::uint64_t planned_probes(const RunPlan& plan)
{
    if (plan.count) {
        return *plan.count;
    }
    if (plan.duration) {
        return static_cast<std::uint64_t>(std::ceil(plan.rate * static_cast<double>(plan.duration->count()) / 1000.0));
    }
    return plan.ports.empty() ? static_cast<std::uint64_t>(plan.port_range.high - plan.port_range.low) + 1
                              : plan.ports.size();
}

namespace {

// "20000-20009,20020": consecutive ports folded into ranges, in plan order.
std::string port_list_text(const std::vector<std::uint16_t>& ports)
{
    std::string out;
    for (std::size_t i = 0; i < ports.size();) {
        std::size_t j = i;
        while (j + 1 < ports.size() && ports[j + 1] == ports[j] + 1) {
            ++j;
        }
        out += (out.empty() ? "" : ",") + std::to_string(ports[i]) + (j > i ? "-" + std::to_string(ports[j]) : "");
        i = j + 1;
    }
    return out;
}

}  // namespace

boost::json::object plan_json(const RunPlan& plan)
{
    boost::json::object ports;
    if (plan.ports.empty()) {
        ports = {{"low", plan.port_range.low}, {"high", plan.port_range.high}};
    } else {
        // The list itself, as ranges, so the run can be made again from its summary.
        ports = {{"list", port_list_text(plan.ports)}, {"count", plan.ports.size()}};
    }
    ports["order"] = to_string(plan.port_order);
    const auto seconds = [](std::chrono::milliseconds value) { return static_cast<double>(value.count()) / 1000.0; };
    boost::json::array alpn;
    for (const auto& protocol : plan.tls.alpn) {
        alpn.emplace_back(protocol);
    }
    return {
        {"target", plan.target.host + ":" + std::to_string(plan.target.port)},
        {"source_ip", plan.source_ip},
        {"ports", std::move(ports)},
        {"count", plan.count ? boost::json::value(*plan.count) : boost::json::value(nullptr)},
        {"planned", planned_probes(plan)},
        {"duration_s", plan.duration ? boost::json::value(seconds(*plan.duration)) : boost::json::value(nullptr)},
        {"concurrency", plan.concurrency},
        {"rate", plan.rate},
        {"arrival", to_string(plan.arrival)},
        {"seed", plan.seed},
        {"workers", plan.workers},
        {"allow_high_load", plan.allow_high_load},
        {"connect_timeout_s", seconds(plan.connect_timeout)},
        {"handshake_timeout_s", seconds(plan.handshake_timeout)},
        {"data_timeout_s", seconds(plan.data_timeout)},
        {"hold_s", seconds(plan.hold)},
        {"tls_version", to_string(plan.tls.version)},
        {"sni", plan.tls.sni},
        {"alpn", std::move(alpn)},
        {"groups", plan.tls.groups},
        {"ciphers", plan.tls.ciphers},
        {"ca_file", plan.tls.ca_file ? boost::json::value(plan.tls.ca_file->string()) : boost::json::value(nullptr)},
        {"verify", plan.tls.verify},
        {"resume", plan.tls.resume},
        {"pad_client_hello", plan.tls.pad_client_hello},
        {"request", to_string(plan.request)},
    };
}

}  // namespace tlsprobe::scenarios
