// The shipped scenarios against the shipped lab, end to end: incident.toml
// names the faulty bucket, canary.toml passes a healthy lab, and
// prepost.toml with `compare` tells a regression, an unchanged pair and an
// improvement apart. Needs root.
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "lab_fixture.hpp"

namespace tlsprobe::lab {
namespace {

const fs::path shipped = fs::path(TLSPROBE_SOURCE_DIR) / "scenarios";

const Args healthy_lab{"--buckets", "8", "--seed", "0x5eed"};
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
}

}  // namespace
}  // namespace tlsprobe::lab
