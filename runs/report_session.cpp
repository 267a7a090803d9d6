#include "runs/report_session.hpp"

#include <boost/json/parse.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <iterator>

#include "core/atomic_file.hpp"
#include "core/errors.hpp"
#include "reports/run_report.hpp"
#include "results/bucket_analysis.hpp"
#include "results/hash_model.hpp"
#include "results/input_files.hpp"
#include "runs/run_directory.hpp"

namespace tlsprobe::runs {
namespace {

namespace json = boost::json;

std::optional<json::object> read_buckets_file(const std::filesystem::path& file)
{
    if (!std::filesystem::exists(file)) {
        return std::nullopt;
    }
    std::ifstream in(file);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    boost::system::error_code ec;
    auto value = json::parse(text, ec);
    if (ec || !value.is_object()) {
        throw core::InputError(fmt::format("{}: not a JSON object ({})", file.string(),
                                           ec ? ec.message() : std::string("another JSON value")));
    }
    return std::move(value.as_object());
}

// buckets.json as `tlsprobe buckets` would write it under the scenario's
// hash model, for a run that was never given to `buckets`.
std::optional<json::object> buckets_from_scenario(const std::filesystem::path& dir, const json::object& summary)
{
    const auto* scenario = summary.if_contains("scenario");
    if (scenario == nullptr || !scenario->is_object()) {
        return std::nullopt;
    }
    const auto* spec = scenario->get_object().if_contains("hash_model");
    if (spec == nullptr || !spec->is_string() || spec->get_string().empty()) {
        return std::nullopt;
    }
    const auto model = results::parse_hash_model(std::string(spec->get_string()));
    results::BucketAnalysisConfig config{.model = model.get()};
    if (const auto* loss = scenario->get_object().if_contains("background_loss"); loss != nullptr && loss->is_number()) {
        config.background = loss->to_number<double>();
    }
    const auto probes = read_hashed_probes(dir);
    return results::bucket_analysis_json(results::analyze_buckets(probes, config), config);
}

}  // namespace

std::filesystem::path write_run_report(const std::filesystem::path& dir, const std::filesystem::path& out,
                                       const RunResult* run)
{
    const auto summary = read_run_summary(dir);
    const auto probes_file = dir / "probes.jsonl";
    if (!std::filesystem::is_regular_file(probes_file)) {
        throw core::InputError(probes_file.string() + ": missing, so " + dir.string() + " is not a run directory");
    }
    const auto probes = results::read_probes_file(probes_file);

    std::unique_ptr<results::AnalysisInputs> inputs;
    std::optional<results::Analysis> analysis;
    const results::Analysis* verdicts = nullptr;
    const results::AnalysisInputs* verdict_inputs = nullptr;
    if (run != nullptr && run->analysis) {
        verdicts = &*run->analysis;
        verdict_inputs = run->inputs.get();
    } else if (run == nullptr) {
        inputs = std::make_unique<results::AnalysisInputs>(read_run_directory(dir));
        if (inputs->client) {
            analysis = results::analyze(*inputs);
            verdicts = &*analysis;
            verdict_inputs = inputs.get();
        }
    }
    auto buckets = read_buckets_file(dir / "buckets.json");
    if (!buckets) {
        buckets = buckets_from_scenario(dir, summary);
    }

    reports::RunReportInputs report{
        .summary = &summary,
        .probes = probes,
        .analysis = verdicts,
        .analysis_inputs = verdict_inputs,
        .buckets = buckets ? &*buckets : nullptr,
        .client_pcap = std::nullopt,
        .server_pcap = std::nullopt,
        .run_dir = dir.string(),
    };
    for (const auto& [name, pcap] : {std::pair{"client", &report.client_pcap}, std::pair{"server", &report.server_pcap}}) {
        if (const auto file = vantage_pcap_file(dir, name); std::filesystem::is_regular_file(file)) {
            *pcap = file;
        }
    }
    const auto target = out.empty() ? dir / "report.html" : out;
    std::string html;
    try {
        html = reports::run_report_html(report);
    } catch (const core::InputError& error) {
        // The page names summary.json's field; the reader needs the directory too.
        throw core::InputError((dir / error.what()).string());
    }
    core::write_file_atomically(target, html);
    return target;
}

std::optional<std::filesystem::path> leave_run_report(const std::filesystem::path& dir, const RunResult* run)
{
    try {
        const auto file = write_run_report(dir, {}, run);
        spdlog::info("report in {}", file.string());
        return file;
    } catch (const core::Error& error) {
        spdlog::warn("no report.html in {}: {}", dir.string(), error.what());
        return std::nullopt;
    }
}

}  // namespace tlsprobe::runs
