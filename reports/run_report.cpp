#include "reports/run_report.hpp"

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <set>

#include "core/errors.hpp"
#include "prober/run_stats.hpp"
#include "reports/html_page.hpp"
#include "reports/ladder_diagram.hpp"
#include "reports/report_charts.hpp"
#include "reports/svg.hpp"
#include "reports/verdict_examples.hpp"

namespace tlsprobe::reports {
namespace {

namespace json = boost::json;

std::string text_of(const json::object& object, std::string_view key, std::string_view otherwise = "not recorded")
{
    const auto* value = object.if_contains(key);
    if (value == nullptr || value->is_null()) {
        return std::string(otherwise);
    }
    if (value->is_string()) {
        return std::string(value->get_string());
    }
    return json::serialize(*value);
}

std::uint64_t count_of(const json::value& value, std::string_view where)
{
    boost::system::error_code ec;
    const auto count = value.is_number() ? value.to_number<std::uint64_t>(ec) : 0;
    if (!value.is_number() || ec) {
        throw core::InputError(fmt::format("summary.json: {} is not a count", where));
    }
    return count;
}

std::string share(std::uint64_t part, std::uint64_t whole)
{
    return whole == 0 ? "-" : fmt::format("{:.2f}%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

double number_of(const json::object& object, std::string_view key)
{
    const auto* value = object.if_contains(key);
    return value != nullptr && value->is_number() ? value->to_number<double>() : 0.0;
}

// A count: 0 unless the value is a whole number from 0 to 2^64-1 (a damaged
// buckets.json must not turn 1e76 into a count).
std::uint64_t count_of(const json::object& object, std::string_view key)
{
    const auto* value = object.if_contains(key);
    boost::system::error_code ec;
    const auto count = value != nullptr ? value->to_number<std::uint64_t>(ec) : 0;
    return value != nullptr && !ec ? count : 0;
}

std::string headline(const RunReportInputs& inputs, const json::object& summary)
{
    const auto health = text_of(summary, "health", "unknown");
    const bool interrupted = summary.contains("interrupted") && summary.at("interrupted") == json::value(true);
    const auto badge_class = interrupted ? std::string("interrupted") : health;
    const auto badge_text = interrupted ? std::string("interrupted") : health == "insufficient_evidence"
                                                                           ? std::string("not enough evidence")
                                                                           : health;
    std::string scenario = "ad hoc (flags)";
    if (const auto* value = summary.if_contains("scenario"); value != nullptr && value->is_object()) {
        const auto& object = value->get_object();
        const auto sha = text_of(object, "sha256", "");
        scenario = text_of(object, "name", "unnamed") + (sha.empty() ? "" : " (scenario.toml sha256 " + sha.substr(0, 12) + ")");
    }
    std::string vantages;
    if (const auto* captures = summary.if_contains("captures"); captures != nullptr && captures->is_array()) {
        for (const auto& capture : captures->get_array()) {
            if (capture.is_object()) {
                vantages += (vantages.empty() ? "" : ", ") + text_of(capture.get_object(), "vantage", "?");
            }
        }
    }
    std::string out = fmt::format("<header><h1>tlsprobe: {}</h1>", svg::escape(text_of(summary, "target")));
    out += fmt::format("<p><span class=\"badge {}\" id=\"health\">{}</span></p>", svg::escape(badge_class),
                       svg::escape(badge_text));
    out += "<dl class=\"facts\">";
    const std::pair<std::string_view, std::string> facts[] = {
        {"started (UTC)", text_of(summary, "started_utc")},
        {"scenario", scenario},
        {"probes", fmt::format("{} of {} planned", text_of(summary, "probes"), text_of(summary, "planned"))},
        {"duration", summary.contains("wall_seconds") ? fmt::format("{:.1f} s", number_of(summary, "wall_seconds"))
                                                       : std::string("not recorded")},
        {"captures", vantages.empty() ? std::string("none (no verdicts: the probes' own outcomes only)") : vantages},
        {"run directory", inputs.run_dir.empty() ? std::string("not recorded") : inputs.run_dir},
    };
    for (const auto& [name, value] : facts) {
        out += fmt::format("<dt>{}</dt><dd>{}</dd>", svg::escape(name), svg::escape(value));
    }
    out += "</dl>";

    std::vector<std::string> sentences;
    if (const auto* reasons = summary.if_contains("health_reasons"); reasons != nullptr && reasons->is_array()) {
        for (const auto& reason : reasons->get_array()) {
            if (reason.is_string()) {
                sentences.emplace_back(reason.get_string());
            }
        }
    }
    if (inputs.analysis != nullptr) {
        sentences.insert(sentences.end(), inputs.analysis->findings.begin(), inputs.analysis->findings.end());
    }
    if (inputs.buckets != nullptr) {
        if (const auto* findings = inputs.buckets->if_contains("findings"); findings != nullptr && findings->is_array()) {
            for (const auto& finding : findings->get_array()) {
                if (finding.is_string()) {
                    sentences.emplace_back(finding.get_string());
                }
            }
        }
    }
    out += "<ul class=\"findings\" id=\"findings\">";
    for (const auto& sentence : sentences) {
        out += "<li>" + svg::escape(sentence) + "</li>";
    }
    return out + "</ul></header>\n";
}

std::string outcome_section(const json::object& summary)
{
    const auto* outcomes = summary.if_contains("outcomes");
    if (outcomes == nullptr || !outcomes->is_object()) {
        throw core::InputError("summary.json: has no \"outcomes\" object");
    }
    std::uint64_t total = 0;
    for (const auto& [name, value] : outcomes->get_object()) {
        total += count_of(value, "outcomes." + std::string(name));
    }
    HtmlTable table{.id = "outcomes", .headers = {"outcome", "probes", "share"}, .rows = {}, .row_names = {}};
    for (const auto& [name, value] : outcomes->get_object()) {
        const auto n = count_of(value, "outcomes." + std::string(name));
        if (n != 0) {
            table.rows.push_back({std::string(name), std::to_string(n), share(n, total)});
            table.row_names.emplace_back(name);
        }
    }
    auto content = html_table(table);
    if (total == 0) {
        content += "<p class=\"note\">No probe was recorded: nothing here shows the path healthy.</p>";
    }
    return html_section("outcomes-section", "Outcomes (what each probe's client saw)", content);
}

std::string verdict_section(const results::Analysis& analysis)
{
    HtmlTable table{.id = "verdicts", .headers = {"verdict", "count", "share"}, .rows = {}, .row_names = {}};
    for (int i = 0; i < results::verdict_count; ++i) {
        if (const auto n = analysis.counts[static_cast<std::size_t>(i)]) {
            const auto name = std::string(to_string(static_cast<results::Verdict>(i)));
            table.rows.push_back({name, std::to_string(n), share(n, analysis.verdicts.size())});
            table.row_names.push_back(name);
        }
    }
    std::string content = html_table(table);
    if (analysis.join && analysis.join->offset.samples != 0) {
        content += fmt::format("<p class=\"note\">Clock offset server - client: {:.3f} ms (spread {:.3f} ms, {} exact "
                               "matches); server times below are shifted by it.</p>",
                               static_cast<double>(analysis.join->offset.median_ns) / 1e6,
                               static_cast<double>(analysis.join->offset.spread_ns) / 1e6, analysis.join->offset.samples);
    }
    return html_section("verdicts-section", "Verdicts (both captures joined)", content);
}

std::string bucket_section(const json::object& buckets)
{
    std::vector<RateBar> bars;
    if (const auto* rows = buckets.if_contains("buckets"); rows != nullptr && rows->is_array()) {
        for (const auto& row : rows->get_array()) {
            if (!row.is_object()) {
                continue;
            }
            const auto& bucket = row.get_object();
            const auto probes = count_of(bucket, "probes");
            if (probes == 0) {
                continue;
            }
            bars.push_back({.label = text_of(bucket, "bucket"),
                            .failures = count_of(bucket, "failures"),
                            .probes = probes,
                            .low = number_of(bucket, "failure_rate_low"),
                            .high = number_of(bucket, "failure_rate_high"),
                            .flagged = text_of(bucket, "verdict", "") == "faulty",
                            .colour = 0});
        }
    }
    const auto model = text_of(buckets, "model", "");
    std::string content;
    if (!bars.empty()) {
        content += fmt::format("<p class=\"note\">Failures per bucket under {} with {:.0f}% intervals; the dashed line "
                               "is the background loss a healthy bucket is allowed. Faulty buckets in red.</p>",
                               svg::escape(model), number_of(buckets, "confidence") * 100);
        const auto background = number_of(buckets, "background");
        content += rate_chart_svg("failures per hash bucket", bars, background,
                                  fmt::format("background {:g}%", background * 100), 1);
    } else {
        content += "<p class=\"note\">No hash model: the failing ports were fitted over GF(2) (no buckets to "
                   "draw); the findings above say what the fit found.</p>";
    }
    return html_section("buckets-section", "Hash buckets", content);
}

std::string latency_section(std::span<const prober::ProbeRecord> probes)
{
    prober::RunStats stats;
    for (const auto& probe : probes) {
        stats.add(probe);
    }
    std::vector<ChartSeries> series;
    int colour = 0;
    for (const auto phase : {prober::Phase::tcp_connect, prober::Phase::server_hello_wait, prober::Phase::tls_handshake,
                             prober::Phase::time_to_first_byte, prober::Phase::total}) {
        series.push_back({.name = std::string(to_string(phase)), .points = phase_cdf(stats.phase(phase)),
                          .colour = colour++, .dashed = false});
    }
    return html_section("latency-section", "Phase latency",
                        "<p class=\"note\">Cumulative share of probes by duration of each phase (probes that reached "
                        "the phase); a step to the right is a slow tail.</p>" +
                            cdf_chart_svg("phase latency CDFs", series));
}

// The ladders of the examples; a pcap that cannot be read leaves them to
// the flow timelines, and the page says why.
std::vector<LadderExample> example_ladders(const RunReportInputs& inputs,
                                           std::span<const results::VerdictRecord* const> examples,
                                           std::string& problem)
{
    const auto offset = example_clock_offset(*inputs.analysis);
    try {
        return ladder_examples(examples, offset, inputs.client_pcap, inputs.server_pcap);
    } catch (const core::InputError& error) {
        problem = std::string(error.what()) + ": the ladders are drawn from the flow timelines";
        return ladder_examples(examples, offset, std::nullopt, std::nullopt);
    }
}

std::string examples_section(const RunReportInputs& inputs)
{
    const auto& analysis = *inputs.analysis;
    const auto examples = verdict_examples(analysis);
    std::string problem;
    const auto ladders = example_ladders(inputs, examples, problem);
    std::string content;
    if (!problem.empty()) {
        content += "<p class=\"note\">" + svg::escape(problem) + "</p>";
    }
    std::set<results::Verdict> shown;
    for (std::size_t i = 0; i < examples.size(); ++i) {
        const auto& record = *examples[i];
        shown.insert(record.verdict);
        const auto name = std::string(to_string(record.verdict));
        content += fmt::format("<h3 id=\"example-{}\">{}</h3>", svg::escape(name), svg::escape(ladders[i].caption));
        content += ladder_svg(ladders[i]);
        if (const auto filter = analysis.filters.find(record.verdict);
            filter != analysis.filters.end() && !filter->second.empty()) {
            content += copyable_filter(name, filter->second);
        }
    }
    // Failing verdicts without a client-side flow to draw still get their filter.
    for (const auto& [verdict, filter] : analysis.filters) {
        if (!shown.contains(verdict) && !filter.empty() && analysis.counts[static_cast<std::size_t>(verdict)] != 0) {
            content += fmt::format("<h3>{}</h3>", svg::escape(to_string(verdict)));
            content += copyable_filter(std::string(to_string(verdict)), filter);
        }
    }
    if (content.empty()) {
        content = "<p class=\"note\">No connection failed on the path.</p>";
    }
    return html_section("examples-section", "One example of each failing verdict", content);
}

}  // namespace

std::string run_report_html(const RunReportInputs& inputs)
{
    if (inputs.summary == nullptr) {
        throw core::InputError("summary.json: missing");
    }
    const auto& summary = *inputs.summary;
    std::string body = headline(inputs, summary);
    body += outcome_section(summary);
    if (inputs.analysis != nullptr) {
        body += verdict_section(*inputs.analysis);
    }
    if (inputs.buckets != nullptr) {
        body += bucket_section(*inputs.buckets);
    }
    const auto cells = port_cells(inputs.probes, 2000);
    body += html_section("ports-section", "Outcome by source port",
                         "<p class=\"note\">A fault that follows a hash of the tuple scatters its failures over the "
                         "ports; random loss spreads thin everywhere; a burst shows in the next picture instead.</p>" +
                             port_strip_svg(cells));
    body += latency_section(inputs.probes);
    body += html_section("time-section", "Failures over time", time_chart_svg(time_bins(inputs.probes, 120)));
    if (inputs.analysis != nullptr) {
        body += examples_section(inputs);
    }
    body += fmt::format("<footer><p class=\"note\">Written by tlsprobe; <code>tlsprobe report {}</code> writes it "
                        "again from the run directory.</p></footer>",
                        svg::escape(inputs.run_dir.empty() ? std::string("RUN_DIR") : inputs.run_dir));
    return html_page("tlsprobe report: " + text_of(summary, "target"), body);
}

}  // namespace tlsprobe::reports
