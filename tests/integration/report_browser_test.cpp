// report.html and compare.html of real loopback runs, opened in headless
// Chromium: nothing logged, thrown, fetched or refused by the CSP; the
// pictures are there with their series; the outcome table says what
// summary.json says.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <fstream>
#include <sstream>

#include "browser_page.hpp"
#include "child_process.hpp"
#include "serve_process.hpp"

namespace tlsprobe::testing {
namespace {

boost::json::object read_json(const std::filesystem::path& file)
{
    std::ifstream in(file);
    std::ostringstream text;
    text << in.rdbuf();
    return boost::json::parse(text.str()).as_object();
}

// The page's evidence that nothing went wrong in the browser.
void expect_clean(const PageCheck& page)
{
    EXPECT_TRUE(page.console_errors.empty()) << page.console_errors.front();
    EXPECT_TRUE(page.page_errors.empty()) << page.page_errors.front();
    EXPECT_TRUE(page.requests.empty()) << page.requests.front();
    EXPECT_TRUE(page.csp_violations.empty()) << page.csp_violations.front();
    EXPECT_TRUE(std::filesystem::file_size(page.screenshot) > 10'000) << page.screenshot;
}

// outcome -> count, as the page's outcome table shows them.
const std::pair<std::string, std::string> outcome_table{
    "outcomes", "Object.fromEntries([...document.querySelectorAll('#outcomes tbody tr')]"
                ".map(row => [row.dataset.name, Number(row.cells[1].textContent)]))"};

std::pair<std::string, std::string> count_of(std::string name, std::string selector)
{
    return {std::move(name), "document.querySelectorAll('" + selector + "').length"};
}

void run_probes(const Server& server, const std::filesystem::path& out)
{
    const auto result = run_command({tlsprobe_binary(), "run", "--target", server.target(), "--ca-file",
                                     server.ca_file(), "--ports", "31000-31399", "--rate", "400", "--concurrency",
                                     "100", "--out", out.string()});
    ASSERT_EQ(result.exit_code, 0) << result.err;
}

TEST(ReportInBrowser, RunReportLoadsCleanAndItsTableIsTheSummary)
{
    TLSPROBE_REQUIRE_BROWSER();
    const Server server("normal");
    TempDir dir;
    const auto run = dir.path() / "run";
    run_probes(server, run);
    ASSERT_TRUE(std::filesystem::exists(run / "report.html")) << "run writes its report";

    const auto page = check_page_in_chromium(run / "report.html", dir.path() / "report.png",
                                             {outcome_table,
                                              count_of("cdf_series", "svg.cdf .series"),
                                              count_of("time_series", "svg.time .series"),
                                              count_of("port_series", "svg.ports .series"),
                                              count_of("charts", "svg.chart"),
                                              {"health", "document.getElementById('health').textContent"}});
    expect_clean(page);
    // One line per phase with samples; ok, failed, not judged; 400 clean ports.
    EXPECT_EQ(page.evals.at("cdf_series").as_int64(), 5);
    EXPECT_EQ(page.evals.at("time_series").as_int64(), 3);
    EXPECT_EQ(page.evals.at("port_series").as_int64(), 1);
    EXPECT_EQ(page.evals.at("charts").as_int64(), 3) << "ports, latency, time; no buckets and no verdicts without them";
    EXPECT_EQ(page.evals.at("health").as_string(), "healthy");

    const auto summary = read_json(run / "summary.json");
    boost::json::object nonzero;
    for (const auto& [name, count] : summary.at("outcomes").as_object()) {
        if (count.as_int64() != 0) {
            nonzero[name] = count.as_int64();
        }
    }
    EXPECT_EQ(page.evals.at("outcomes").as_object(), nonzero);
}

TEST(ReportInBrowser, CompareReportDrawsBothRunsOnOneAxis)
{
    TLSPROBE_REQUIRE_BROWSER();
    const Server server("normal");
    TempDir dir;
    run_probes(server, dir.path() / "before");
    run_probes(server, dir.path() / "after");
    const auto compared = run_command({tlsprobe_binary(), "compare", (dir.path() / "before").string(),
                                       (dir.path() / "after").string(), "--out", (dir.path() / "c").string()});
    ASSERT_LE(compared.exit_code, 4) << compared.err;
    const auto html = dir.path() / "c" / "compare.html";
    ASSERT_TRUE(std::filesystem::exists(html)) << compared.err;

    const auto page = check_page_in_chromium(
        html, dir.path() / "compare.png",
        {count_of("cdf_series", "svg.cdf .series"), count_of("dashed", "svg.cdf .series.dashed"),
         {"verdict", "document.getElementById('verdict').textContent"},
         {"failed_row", "document.querySelector('#rates tr[data-name=failed]').cells[1].textContent"}});
    expect_clean(page);
    // Four phases, before (dashed) and after (solid).
    EXPECT_EQ(page.evals.at("cdf_series").as_int64(), 8);
    EXPECT_EQ(page.evals.at("dashed").as_int64(), 4);
    const auto json = read_json(dir.path() / "c" / "compare.json");
    EXPECT_EQ(page.evals.at("verdict").as_string(), json.at("verdict").as_string());
    EXPECT_EQ(page.evals.at("failed_row").as_string(), "0/400");
}

}  // namespace
}  // namespace tlsprobe::testing
