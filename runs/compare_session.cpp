#include "runs/compare_session.hpp"

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <utility>

#include "core/atomic_file.hpp"
#include "core/errors.hpp"
#include "core/jsonl_reader.hpp"
#include "reports/compare_report.hpp"
#include "results/hash_model.hpp"
#include "results/input_files.hpp"
#include "runs/run_directory.hpp"

namespace tlsprobe::runs {
namespace {

namespace json = boost::json;

// probes.jsonl must be whole: the summary is written after the last probe,
// so a cut line or a count that disagrees with the summary is damage.
std::vector<prober::ProbeRecord> read_whole_probes(const std::filesystem::path& dir, const json::object& summary)
{
    const auto file = dir / "probes.jsonl";
    if (!std::filesystem::is_regular_file(file)) {
        throw core::InputError(file.string() + ": missing, so " + dir.string() + " is not a run directory");
    }
    std::vector<prober::ProbeRecord> probes;
    const auto read = core::read_jsonl(file, [&](const json::object& object, std::uint64_t) {
        probes.push_back(prober::probe_record_from_json(object));
    });
    if (read.cut_line) {
        throw core::InputError(fmt::format("{}:{}: the last line is cut short, but summary.json says the run ended: "
                                           "the file is damaged",
                                           file.string(), *read.cut_line));
    }
    if (const auto* counted = summary.if_contains("probes"); counted != nullptr && counted->is_number()) {
        boost::system::error_code ec;
        const auto expected = counted->to_number<std::uint64_t>(ec);
        if (!ec && expected != probes.size()) {
            throw core::InputError(fmt::format("{}: holds {} probes, but {} counts {}: the file is cut short or is "
                                               "not this run's",
                                               file.string(), probes.size(), (dir / "summary.json").string(), expected));
        }
    }
    return probes;
}

const json::value* member(const json::object& object, std::string_view key)
{
    const auto* value = object.if_contains(key);
    return value == nullptr || value->is_null() ? nullptr : value;
}

std::string text_member(const json::object& object, std::string_view key, const std::string& where)
{
    const auto* value = member(object, key);
    if (value == nullptr) {
        return {};
    }
    if (!value->is_string()) {
        throw core::InputError(fmt::format("{}: scenario.{} is not a string", where, key));
    }
    return std::string(value->get_string());
}

// The scenario object of summary.json: what the run was asked to measure and
// how compare is to judge it. Runs without one keep the defaults.
void read_scenario(const json::object& summary, const std::string& where, results::RunMeasurements& run)
{
    const auto* value = member(summary, "scenario");
    if (value == nullptr) {
        return;
    }
    if (!value->is_object()) {
        throw core::InputError(where + ": scenario is not an object");
    }
    const auto& scenario = value->get_object();
    run.name = text_member(scenario, "name", where);
    run.sha256 = text_member(scenario, "sha256", where);
    if (const auto* thresholds = member(scenario, "thresholds")) {
        if (!thresholds->is_object()) {
            throw core::InputError(where + ": scenario.thresholds is not an object");
        }
        try {
            run.thresholds = scenarios::thresholds_from_json(thresholds->get_object());
        } catch (const core::Error& error) {
            throw core::InputError(fmt::format("{}: scenario.thresholds.{}", where, error.what()));
        }
    }
    run.hash_model = text_member(scenario, "hash_model", where);
    if (!run.hash_model.empty()) {
        try {
            (void)results::parse_hash_model(run.hash_model);
        } catch (const core::Error& error) {
            throw core::InputError(fmt::format("{}: scenario.hash_model \"{}\": {}", where, run.hash_model,
                                               error.what()));
        }
    }
    if (const auto* loss = member(scenario, "background_loss")) {
        run.background_loss = loss->is_number() ? loss->to_number<double>() : -1.0;
        if (!(run.background_loss >= 0.0 && run.background_loss < 1.0)) {
            throw core::InputError(where + ": scenario.background_loss is not a rate in [0, 1)");
        }
    }
    if (const auto* labels = member(scenario, "labels")) {
        if (!labels->is_object()) {
            throw core::InputError(where + ": scenario.labels is not an object");
        }
        run.labels = labels->get_object();
    }
}

// A value as the refusal names it: strings bare, the rest as JSON.
std::string shown(const json::value* value)
{
    if (value == nullptr) {
        return "(absent)";
    }
    if (value->is_string()) {
        return value->get_string().empty() ? std::string("\"\"") : std::string(value->get_string());
    }
    return json::serialize(*value);
}

// Every key of either object, before's order first; objects compared key by key.
void differ(const std::string& name, const json::value* before, const json::value* after,
            std::vector<std::string>& differences)
{
    if (before != nullptr && after != nullptr && before->is_object() && after->is_object()) {
        const auto& x = before->get_object();
        const auto& y = after->get_object();
        for (const auto& entry : x) {
            differ(name + "." + std::string(entry.key()), &entry.value(), y.if_contains(entry.key()), differences);
        }
        for (const auto& entry : y) {
            if (!x.contains(entry.key())) {
                differ(name + "." + std::string(entry.key()), nullptr, &entry.value(), differences);
            }
        }
        return;
    }
    const bool same = before == nullptr || after == nullptr ? before == after : *before == *after;
    if (!same) {
        differences.push_back(fmt::format("{}: {} vs {}", name, shown(before), shown(after)));
    }
}

const json::value* scenario_hash(const json::object& summary)
{
    const auto* scenario = member(summary, "scenario");
    return scenario != nullptr && scenario->is_object() ? member(scenario->get_object(), "sha256") : nullptr;
}

}  // namespace

ComparedRun read_compared_run(const std::filesystem::path& dir)
{
    if (!std::filesystem::is_directory(dir)) {
        throw core::InputError(fmt::format("{}: is not a run directory ({})", dir.string(),
                                           std::filesystem::exists(dir) ? "not a directory" : "no such directory"));
    }
    ComparedRun run;
    run.summary = read_run_summary(dir);
    auto& m = run.measurements;
    m.dir = dir.string();
    read_scenario(run.summary, (dir / "summary.json").string(), m);
    if (const auto* interrupted = member(run.summary, "interrupted"); interrupted != nullptr && interrupted->is_bool()) {
        m.interrupted = interrupted->get_bool();
    }
    m.probes = read_whole_probes(dir, run.summary);
    if (const auto verdicts = dir / "verdicts.jsonl"; std::filesystem::exists(verdicts)) {
        m.verdicts = results::read_verdict_counts(verdicts);
    }
    if (!m.hash_model.empty() && !m.probes.empty()) {
        m.hashed_probes = read_hashed_probes(dir);
    }
    return run;
}

std::vector<std::string> measurement_differences(const json::object& before_summary, const json::object& after_summary)
{
    std::vector<std::string> differences;
    const auto& before_plan = before_summary.at("plan").as_object();
    const auto& after_plan = after_summary.at("plan").as_object();
    differ("scenario.sha256", scenario_hash(before_summary), scenario_hash(after_summary), differences);
    for (const std::string_view key : {"target", "ports", "count", "tls_version", "sni", "alpn", "groups", "ciphers",
                                       "ca_file", "verify", "resume", "pad_client_hello", "request"}) {
        differ(std::string(key), member(before_plan, key), member(after_plan, key), differences);
    }
    // The target first: it is the difference people look for.
    std::stable_partition(differences.begin(), differences.end(),
                          [](const std::string& line) { return line.starts_with("target:"); });
    return differences;
}

CompareResult compare_session(const CompareRequest& request)
{
    const auto before = read_compared_run(request.before);
    const auto after = read_compared_run(request.after);
    CompareResult result;
    result.differences = measurement_differences(before.summary, after.summary);
    if (!result.differences.empty() && !request.force) {
        std::string list;
        for (const auto& difference : result.differences) {
            list += (list.empty() ? "" : "; ") + difference;
        }
        throw core::UsageError(fmt::format("{} and {} do not measure the same thing ({}); `force` compares them anyway",
                                           request.before.string(), request.after.string(), list));
    }
    result.forced = !result.differences.empty();
    result.comparison = results::compare_runs(before.measurements, after.measurements);

    auto report = results::comparison_json(result.comparison);
    json::array differences;
    for (const auto& difference : result.differences) {
        differences.emplace_back(difference);
    }
    json::object out{{"verdict", report.at("verdict")},
                     {"forced", result.forced},
                     {"differences", std::move(differences)}};
    for (auto& entry : report) {
        if (!out.contains(entry.key())) {
            out[entry.key()] = std::move(entry.value());
        }
    }
    const auto dir = make_run_directory((request.out_dir.empty() ? request.after : request.out_dir).string(), "");
    result.written = dir / "compare.json";
    core::write_file_atomically(result.written, json::serialize(out) + "\n");
    result.written_html = dir / "compare.html";
    core::write_file_atomically(result.written_html,
                                reports::compare_report_html({.comparison = &result.comparison,
                                                              .differences = result.differences,
                                                              .before_probes = before.measurements.probes,
                                                              .after_probes = after.measurements.probes}));
    return result;
}

}  // namespace tlsprobe::runs
