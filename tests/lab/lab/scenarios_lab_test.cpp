// The shipped scenarios against the shipped lab, end to end: incident.toml
// names the faulty bucket, canary.toml passes a healthy lab, and
// prepost.toml with `compare` tells a regression, an unchanged pair and an
// improvement apart. Needs root.
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "browser_page.hpp"
#include "lab_fixture.hpp"

namespace tlsprobe::lab {
namespace {

const fs::path shipped = fs::path(TLSPROBE_SOURCE_DIR) / "scenarios";

const Args healthy_lab{"--buckets", "8", "--seed", "0x5eed"};

boost::json::object read_json(const fs::path& file)
{
    std::ifstream in(file);
    std::ostringstream text;
    text << in.rdbuf();
    return boost::json::parse(text.str()).as_object();
}

// name -> count of the non-zero entries of a JSON object of counts.
boost::json::object nonzero_counts(const boost::json::object& counts)
{
    boost::json::object out;
    for (const auto& [name, count] : counts) {
        if (count.as_int64() != 0) {
            out[name] = count.as_int64();
        }
    }
    return out;
}

// name -> count as a table of the HTML report shows it.
std::pair<std::string, std::string> table_counts(const std::string& id)
{
    return {id, "Object.fromEntries([...document.querySelectorAll('#" + id +
                    " tbody tr')].map(row => [row.dataset.name, Number(row.cells[1].textContent)]))"};
}

std::pair<std::string, std::string> count_of(std::string name, const std::string& selector)
{
    return {std::move(name), "document.querySelectorAll('" + selector + "').length"};
}

void expect_clean_page(const testing::PageCheck& page)
{
    EXPECT_TRUE(page.console_errors.empty()) << page.console_errors.front();
    EXPECT_TRUE(page.page_errors.empty()) << page.page_errors.front();
    EXPECT_TRUE(page.requests.empty()) << page.requests.front();
    EXPECT_TRUE(page.csp_violations.empty()) << page.csp_violations.front();
}
const Args faulty_lab{"--buckets", "8", "--faulty", "5", "--seed", "0x5eed"};

class ScenariosLabTest : public LabTest {
protected:
    ProcessResult run_scenario(const std::string& scenario, const fs::path& out)
    {
        return run_process(Args{"ip", "netns", "exec", "tlsp-client", tlsprobe, "run", "--scenario",
                                (shipped / scenario).string(), "--out", out.string()});
    }

    struct Comparison {
        int status = -1;
        std::string out;
        boost::json::object json;
    };

    Comparison compare(const fs::path& before, const fs::path& after, const fs::path& out)
    {
        const auto result = tool({"compare", before.string(), after.string(), "--out", out.string()});
        Comparison comparison{.status = result.status, .out = result.out, .json = {}};
        std::ifstream in(out / "compare.json");
        std::ostringstream text;
        text << in.rdbuf();
        EXPECT_FALSE(text.str().empty()) << result.err;
        if (!text.str().empty()) {
            comparison.json = boost::json::parse(text.str()).as_object();
        }
        return comparison;
    }
};

TEST_F(ScenariosLabTest, IncidentScenarioGivesVerdictsAndNamesBucketFive)
{
    LabGuard lab({"--proxy", "--buckets", "8", "--faulty", "5", "--seed", "0x5eed"});
    ASSERT_TRUE(lab.up());
    const auto run = run_scenario("incident.toml", run_dir_);
    EXPECT_EQ(run.status, 1) << run.err;
    EXPECT_NE(run.out.find("client_hello_lost"), std::string::npos) << run.out;
    EXPECT_TRUE(fs::exists(run_dir_ / "verdicts.jsonl"));
    const auto buckets = tool({"buckets", run_dir_.string(), "--model", "jhash:seed=0x5eed,mod=8"});
    EXPECT_EQ(buckets.status, 1) << buckets.err;
    std::ifstream in(run_dir_ / "buckets.json");
    std::ostringstream text;
    text << in.rdbuf();
    ASSERT_FALSE(text.str().empty()) << buckets.err;
    const auto report = boost::json::parse(text.str()).as_object();
    ASSERT_EQ(report.at("faulty_buckets").as_array().size(), 1U) << buckets.out;
    EXPECT_EQ(report.at("faulty_buckets").as_array()[0].as_int64(), 5);

    // The report of this run, in headless Chromium: the pictures, the ladder
    // of a proxy-ACKed ClientHello, and the tables equal to the JSON files.
    ASSERT_TRUE(fs::exists(run_dir_ / "report.html")) << "run writes its report";
    TLSPROBE_REQUIRE_BROWSER();
    const auto redrawn = tool({"report", run_dir_.string()});
    ASSERT_EQ(redrawn.status, 0) << redrawn.err;
    const auto page = testing::check_page_in_chromium(
        run_dir_ / "report.html", run_dir_ / "report.png",
        {table_counts("outcomes"), table_counts("verdicts"), count_of("cdf_series", "svg.cdf .series"),
         count_of("bucket_bars", "svg.rates .series"), count_of("time_series", "svg.time .series"),
         count_of("ladders", "svg.ladder"), count_of("lost", "svg.ladder g.packet.lost[data-what=client_hello]"),
         {"faulty", "[...document.querySelectorAll('svg.rates .series.flagged')].map(g => g.dataset.series)"},
         {"ttl_253", "[...document.querySelectorAll('svg.ladder g.packet[data-ttl=\"253\"]')]"
                     ".map(g => g.textContent).join(' | ')"}});
    expect_clean_page(page);
    EXPECT_EQ(page.evals.at("outcomes").as_object(), nonzero_counts(read_json(run_dir_ / "summary.json").at("outcomes").as_object()));
    EXPECT_EQ(page.evals.at("verdicts").as_object(), nonzero_counts(read_json(run_dir_ / "analysis.json").at("counts").as_object()));
    EXPECT_EQ(page.evals.at("cdf_series").as_int64(), 5);
    EXPECT_EQ(page.evals.at("bucket_bars").as_int64(), 8);
    EXPECT_EQ(page.evals.at("faulty").as_array(), boost::json::array({"5"}));
    EXPECT_EQ(page.evals.at("time_series").as_int64(), 3);
    EXPECT_EQ(page.evals.at("ladders").as_int64(), 1) << "one failing verdict: client_hello_lost";
    EXPECT_EQ(page.evals.at("lost").as_int64(), 1) << "the ClientHello that never reached the server";
    const std::string acks(page.evals.at("ttl_253").as_string());
    EXPECT_NE(acks.find("2 hops"), std::string::npos) << acks;
}

TEST_F(ScenariosLabTest, CanaryScenarioIsHealthyOnAHealthyLab)
{
    LabGuard lab({});
    ASSERT_TRUE(lab.up());
    const auto run = run_scenario("canary.toml", run_dir_);
    EXPECT_EQ(run.status, 0) << run.out << run.err;
}

TEST_F(ScenariosLabTest, CanaryIsQuietOnAHealthyLabAndNamesTheBucketThatTurnsFaulty)
{
    const auto state = (run_dir_ / "state").string();
    const Args canary{"ip", "netns", "exec", "tlsp-client", tlsprobe, "canary", (shipped / "canary.toml").string(),
                      "--state-dir", state, "--model", "jhash:seed=0x5eed,mod=8", "--rate", "100"};
    {
        LabGuard lab(healthy_lab);
        ASSERT_TRUE(lab.up());
        const auto healthy = run_process(canary);
        EXPECT_EQ(healthy.status, 0) << healthy.out << healthy.err;
        EXPECT_EQ(healthy.out + healthy.err, "");
    }
    {
        LabGuard lab(faulty_lab);
        ASSERT_TRUE(lab.up());
        const auto faulty = run_process(canary);
        EXPECT_EQ(faulty.status, 1) << faulty.err;
        EXPECT_TRUE(faulty.out.starts_with("canary canary: unhealthy (exit 1); run directory ")) << faulty.out;
        EXPECT_NE(faulty.out.find("faulty hash buckets: 5 under jhash"), std::string::npos) << faulty.out;
    }
    const auto history = tool({"history", "--history", state + "/history.sqlite"});
    EXPECT_EQ(history.status, 0) << history.err;
    EXPECT_NE(history.out.find("Buckets found faulty"), std::string::npos) << history.out;
    const auto json = tool({"history", "--history", state + "/history.sqlite", "--json"});
    EXPECT_NE(json.out.find("\"bucket\":5"), std::string::npos) << json.out;
}

TEST_F(ScenariosLabTest, PrepostScenarioWithCompareTellsRegressedUnchangedAndImproved)
{
    const auto before = run_dir_ / "before";
    const auto same = run_dir_ / "same";
    const auto after = run_dir_ / "after";
    const auto fixed = run_dir_ / "fixed";
    {
        LabGuard lab(healthy_lab);
        ASSERT_TRUE(lab.up());
        ASSERT_EQ(run_scenario("prepost.toml", before).status, 0);
        ASSERT_EQ(run_scenario("prepost.toml", same).status, 0);
    }
    {
        LabGuard lab(faulty_lab);
        ASSERT_TRUE(lab.up());
        ASSERT_EQ(run_scenario("prepost.toml", after).status, 1);
    }
    {
        LabGuard lab(healthy_lab);
        ASSERT_TRUE(lab.up());
        ASSERT_EQ(run_scenario("prepost.toml", fixed).status, 0);
    }

    const auto unchanged = compare(before, same, run_dir_ / "c1");
    EXPECT_EQ(unchanged.status, 0) << unchanged.out;
    EXPECT_EQ(unchanged.json.at("verdict").as_string(), "unchanged") << unchanged.out;

    const auto regressed = compare(before, after, run_dir_ / "c2");
    EXPECT_EQ(regressed.status, 1) << regressed.out;
    EXPECT_EQ(regressed.json.at("verdict").as_string(), "regressed") << regressed.out;
    EXPECT_TRUE(regressed.out.starts_with("regressed")) << regressed.out;
    EXPECT_NE(regressed.out.find("bucket 5"), std::string::npos) << regressed.out;

    const auto improved = compare(after, fixed, run_dir_ / "c3");
    EXPECT_EQ(improved.status, 0) << improved.out;
    EXPECT_EQ(improved.json.at("verdict").as_string(), "improved") << improved.out;

    // compare.html of the regression, in headless Chromium.
    TLSPROBE_REQUIRE_BROWSER();
    const auto page = testing::check_page_in_chromium(
        run_dir_ / "c2" / "compare.html", run_dir_ / "compare.png",
        {count_of("cdf_series", "svg.cdf .series"), count_of("bucket_bars", "#buckets-section svg.rates .series"),
         {"verdict", "document.getElementById('verdict').textContent"},
         {"worse", "[...document.querySelectorAll('#buckets tbody tr')].filter(row => row.cells[10].textContent === "
                   "'worse').map(row => row.dataset.name)"}});
    expect_clean_page(page);
    EXPECT_EQ(page.evals.at("verdict").as_string(), "regressed");
    EXPECT_EQ(page.evals.at("cdf_series").as_int64(), 8) << "four phases, before and after";
    EXPECT_EQ(page.evals.at("bucket_bars").as_int64(), 2 * static_cast<std::int64_t>(regressed.json.at("buckets").as_array().size()));
    EXPECT_EQ(page.evals.at("worse").as_array(), boost::json::array({"bucket 5"}));
}

}  // namespace
}  // namespace tlsprobe::lab
