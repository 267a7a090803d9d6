#include "runs/run_directory.hpp"

#include <ctime>
#include <fstream>
#include <iterator>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/atomic_file.hpp"
#include "core/errors.hpp"
#include "core/sha256.hpp"
#include "results/hashed_tuples.hpp"
#include "scenarios/scenario_file.hpp"

namespace tlsprobe::runs {

std::filesystem::path make_run_directory(const std::string& requested, std::string_view prefix,
                                         const std::filesystem::path& parent)
{
    std::error_code ec;
    if (!requested.empty()) {
        std::filesystem::create_directories(requested, ec);
        if (ec) {
            throw core::EnvironmentError("out", ": cannot create " + requested + ": " + ec.message());
        }
        return requested;
    }
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char name[32];
    std::strftime(name, sizeof name, "%Y%m%d-%H%M%S", &utc);
    std::filesystem::create_directories(parent, ec);
    // Two runs started in the same second get their own directories:
    // create_directory claims a name atomically, so the second takes "-2".
    for (int attempt = 1; !ec; ++attempt) {
        auto dir = parent / (std::string(prefix) + name + (attempt == 1 ? "" : "-" + std::to_string(attempt)));
        if (std::filesystem::create_directory(dir, ec)) {
            return dir;
        }
    }
    throw core::EnvironmentError("out", ": cannot create a run directory under " + parent.string() + ": " +
                                            ec.message());
}

void refuse_existing_run(const std::filesystem::path& requested)
{
    if (!requested.empty() && std::filesystem::exists(requested / "probes.jsonl")) {
        throw core::UsageError("out", ": " + requested.string() + " already holds a run (probes.jsonl); choose another");
    }
}

std::string write_scenario_file(const std::filesystem::path& dir, const scenarios::Scenario& scenario)
{
    const auto text = scenarios::scenario_toml(scenario, false);
    core::write_file_atomically(dir / "scenario.toml", text);
    return core::sha256_hex(text);
}

boost::json::object scenario_json(const scenarios::Scenario& scenario, std::string_view sha256)
{
    boost::json::object labels;
    for (const auto& [key, value] : scenario.labels) {
        labels[key] = value;
    }
    boost::json::object out{{"name", scenario.name},
                            {"description", scenario.description},
                            {"file", "scenario.toml"},
                            {"sha256", sha256},
                            {"thresholds", scenarios::thresholds_json(scenario.thresholds)},
                            {"background_loss", scenario.background_loss},
                            {"labels", std::move(labels)}};
    if (!scenario.hash_model.empty()) {
        out["hash_model"] = scenario.hash_model;
    }
    return out;
}

namespace {

namespace json = boost::json;

std::string utc_timestamp(std::chrono::system_clock::time_point at)
{
    const auto seconds = std::chrono::floor<std::chrono::seconds>(at);
    const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(at - seconds).count();
    return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", seconds, millis);
}

json::array captures_json(std::span<const scenarios::CaptureVantage> captures)
{
    json::array out;
    for (const auto& capture : captures) {
        json::array command;
        for (const auto& word : capture.command) {
            command.emplace_back(word);
        }
        out.push_back(json::object{{"vantage", capture.name}, {"interface", capture.interface},
                                   {"command", std::move(command)}});
    }
    return out;
}

void set_health(json::object& summary, const results::HealthJudgement& judgement)
{
    json::array reasons;
    for (const auto& reason : judgement.reasons) {
        reasons.emplace_back(reason);
    }
    summary["health"] = to_string(judgement.health);
    summary["health_reasons"] = std::move(reasons);
}

void write_summary_file(const std::filesystem::path& dir, const json::object& summary)
{
    core::write_file_atomically(dir / "summary.json", json::serialize(summary) + "\n");
}

}  // namespace

void write_run_summary(const std::filesystem::path& dir, const RunSummaryParts& parts)
{
    auto summary = prober::summary_json(parts.stats, parts.facts);
    summary["started_utc"] = utc_timestamp(parts.started);
    summary["scenario"] = scenario_json(parts.scenario, parts.scenario_sha256);
    summary["plan"] = scenarios::plan_json(parts.scenario.plan);
    summary["captures"] = captures_json(parts.scenario.captures);
    json::array problems;
    for (const auto& problem : parts.vantage_problems) {
        problems.emplace_back(problem);
    }
    summary["vantage_problems"] = std::move(problems);
    if (parts.hunt_rounds) {
        summary["hunt"] = json::object{{"rounds", *parts.hunt_rounds}};
    }
    set_health(summary, parts.judgement);
    write_summary_file(dir, summary);
}

json::object read_run_summary(const std::filesystem::path& dir)
{
    const auto file = dir / "summary.json";
    if (!std::filesystem::exists(file)) {
        throw core::InputError(fmt::format("{}: missing, so {} is not a finished run directory (a run writes it when "
                                           "it ends)",
                                           file.string(), dir.string()));
    }
    std::ifstream in(file);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in && !in.eof()) {
        throw core::InputError(file.string() + ": cannot be read");
    }
    boost::system::error_code ec;
    auto value = json::parse(text, ec);
    if (ec) {
        throw core::InputError(fmt::format("{}: not JSON ({})", file.string(), ec.message()));
    }
    if (!value.is_object()) {
        throw core::InputError(file.string() + ": not a JSON object");
    }
    auto& summary = value.as_object();
    if (const auto* plan = summary.if_contains("plan"); plan == nullptr || !plan->is_object()) {
        throw core::InputError(file.string() + ": has no \"plan\" object (not the summary of a run)");
    }
    return std::move(summary);
}

void rewrite_summary_health(const std::filesystem::path& dir, const results::HealthJudgement& judgement)
{
    auto summary = read_run_summary(dir);
    set_health(summary, judgement);
    write_summary_file(dir, summary);
}

std::filesystem::path vantage_flows_file(const std::filesystem::path& run_dir, std::string_view name)
{
    return run_dir / (std::string(name) + ".flows.jsonl");
}

std::filesystem::path vantage_pcap_file(const std::filesystem::path& run_dir, std::string_view name)
{
    return run_dir / (std::string(name) + ".pcap");
}

results::AnalysisInputs read_run_directory(const std::filesystem::path& dir)
{
    results::AnalysisInputs inputs;
    if (const auto probes = dir / "probes.jsonl"; std::filesystem::exists(probes)) {
        inputs.probes = results::read_probes_file(probes);
    }
    for (auto* vantage : {&inputs.client, &inputs.server}) {
        const std::string name = vantage == &inputs.client ? "client" : "server";
        const auto flows = vantage_flows_file(dir, name);
        if (!std::filesystem::exists(flows)) {
            continue;
        }
        *vantage = results::read_flows_file(flows, name);
        if ((*vantage)->summarised) {
            continue;
        }
        // The agent never closed its timelines (it was killed): the pcap it
        // wrote as it went holds every packet up to then, open flows included.
        if (const auto pcap = vantage_pcap_file(dir, name); std::filesystem::exists(pcap)) {
            spdlog::warn("{} ends without the capture summary (its agent was stopped); reading {} instead",
                         flows.string(), pcap.string());
            *vantage = results::read_pcap_file(pcap, name);
        } else if (name == "server") {
            // A server capture cut short would blame the path for every
            // connection made after the cut: the server's evidence is unknown.
            spdlog::warn("{} ends without the capture summary and there is no pcap: the server vantage is left out, "
                         "so verdicts that need it are unknown",
                         flows.string());
            vantage->reset();
        } else {
            (*vantage)->input_error = "ends without the capture summary (its agent was stopped)";
        }
    }
    return inputs;
}

std::vector<prober::ProbeRecord> read_hashed_probes(const std::filesystem::path& dir)
{
    const auto probes_file = dir / "probes.jsonl";
    if (!std::filesystem::is_regular_file(probes_file)) {
        throw core::InputError("RUN_DIR: " + dir.string() + " is a run directory without probes (no " +
                               probes_file.string() + ")");
    }
    auto records = results::read_probes_file(probes_file);
    if (records.empty()) {
        throw core::InputError("RUN_DIR: " + probes_file.string() + " holds no probes");
    }
    if (const auto verdicts = dir / "verdicts.jsonl"; std::filesystem::exists(verdicts)) {
        if (const auto moved = results::use_server_side_tuples(records, verdicts)) {
            spdlog::info("{} of {} probes reached the server under another tuple (NAT or TCP-terminating proxy); "
                         "their buckets use that tuple, the one the hashing device saw",
                         moved, records.size());
        }
    }
    return records;
}

}  // namespace tlsprobe::runs
