#include "results/input_files.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <limits>

#include "capture/capture_file.hpp"
#include "capture/flow_json.hpp"
#include "core/errors.hpp"
#include "core/jsonl_reader.hpp"

namespace tlsprobe::results {
namespace {

namespace json = boost::json;

// The complete lines of a JSON Lines file; a last line cut by a killed
// writer is skipped with a warning, so the records before it stay usable.
template <typename Handle>
void for_each_line(const std::filesystem::path& path, Handle handle)
{
    const auto read = core::read_jsonl(path, [&](const json::object& object, std::uint64_t) { handle(object); });
    if (read.cut_line) {
        spdlog::warn("{}:{}: the last line is cut short (its writer was stopped); the {} complete lines are used",
                     path.string(), *read.cut_line, read.records);
    }
}

void take_summary(VantageFlows& vantage, const json::object& summary)
{
    if (const auto* kernel = summary.if_contains("kernel"); kernel != nullptr && kernel->is_object()) {
        const auto count = [&](std::string_view name) {
            const auto* value = kernel->get_object().if_contains(name);
            boost::system::error_code ec;
            const auto n = value == nullptr ? 0 : value->to_number<std::uint64_t>(ec);
            if (value == nullptr || ec) {
                throw core::InputError(fmt::format("capture summary field \"kernel.{}\" is not a count", name));
            }
            return n;
        };
        const auto dropped = count("dropped");
        const auto interface_dropped = count("interface_dropped");
        if (dropped > std::numeric_limits<std::uint64_t>::max() - interface_dropped) {
            throw core::InputError("capture summary fields \"kernel.dropped\" and \"kernel.interface_dropped\" add up "
                                   "past 2^64");
        }
        vantage.kernel_dropped = dropped + interface_dropped;
    }
    if (const auto* error = summary.if_contains("input_error"); error != nullptr && error->is_string()) {
        vantage.input_error = std::string(error->as_string());
    }
    vantage.summarised = true;
}

}  // namespace

VantageFlows read_flows_file(const std::filesystem::path& path, std::string name)
{
    VantageFlows vantage{.name = std::move(name), .source = path.string(), .flows = {}, .kernel_dropped = {}, .input_error = {}};
    for_each_line(path, [&](const json::object& object) {
        const auto* type = object.if_contains("type");
        const std::string_view kind = type != nullptr && type->is_string() ? std::string_view(type->as_string()) : "";
        if (kind == "capture_summary") {
            take_summary(vantage, object);
        } else if (kind == "flow") {
            vantage.flows.push_back(flow_evidence_from_json(object));
        } else if (kind != "capture_ready") {
            throw core::InputError("a line of type \"" + std::string(kind) + "\" is not a flow timeline");
        }
    });
    return vantage;
}

VantageFlows read_pcap_file(const std::filesystem::path& path, std::string name)
{
    VantageFlows vantage{.name = name, .source = path.string(), .flows = {}, .kernel_dropped = {}, .input_error = {}};
    capture::FileOptions options;
    options.path = path;
    options.vantage = name;
    const auto summary = capture::read_capture_file(
        options, [&](const capture::FlowTimeline& flow) {
            vantage.flows.push_back(flow_evidence_from_json(capture::to_json(flow, name)));
        },
        [](const capture::CaptureSummary&, const capture::FramePipeline&) {});
    vantage.input_error = summary.input_error;
    return vantage;
}

std::vector<prober::ProbeRecord> read_probes_file(const std::filesystem::path& path)
{
    std::vector<prober::ProbeRecord> probes;
    for_each_line(path, [&](const json::object& object) { probes.push_back(prober::probe_record_from_json(object)); });
    return probes;
}

std::array<std::uint64_t, verdict_count> read_verdict_counts(const std::filesystem::path& path)
{
    std::array<std::uint64_t, verdict_count> counts{};
    const auto read = core::read_jsonl(path, [&](const json::object& object, std::uint64_t) {
        const auto* name = object.if_contains("verdict");
        const auto verdict = name != nullptr && name->is_string() ? verdict_from_string(name->get_string()) : std::nullopt;
        if (!verdict) {
            throw core::InputError("field \"verdict\" is missing or not a verdict name");
        }
        ++counts[static_cast<std::size_t>(*verdict)];
    });
    if (read.cut_line) {
        // The file is written whole or not at all: a cut line is damage, not a stopped writer.
        throw core::InputError(fmt::format("{}:{}: the last line is cut short", path.string(), *read.cut_line));
    }
    return counts;
}

}  // namespace tlsprobe::results
