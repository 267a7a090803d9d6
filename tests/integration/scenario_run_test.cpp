// A run from a scenario file: flags on top of the file, the effective
// scenario kept in the run directory with its SHA-256 in summary.json, and
// the run made again from its own directory.
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "child_process.hpp"
#include "core/sha256.hpp"
#include "run_records.hpp"
#include "serve_process.hpp"

namespace tlsprobe::testing {
namespace {

std::string file_text(const std::filesystem::path& path)
{
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

TEST(ScenarioRun, KeepsTheEffectiveScenarioAndRunsAgainFromIt)
{
    const Server server("normal");
    TempDir dir;
    const auto scenario = dir.path() / "loopback.toml";
    std::ofstream(scenario) << "name = \"loopback\"\n[probe]\ntarget = \"" << server.target()
                            << "\"\nports = \"24000-24019\"\nrate = 100.0\n[tls]\nca_file = \"" << server.ca_file()
                            << "\"\n[thresholds]\nmin_probes = 10\n[labels]\nteam = \"netops\"\n";
    const auto first = dir.path() / "first";
    const auto run = run_command({tlsprobe_binary(), "run", "--scenario", scenario.string(), "--count", "12",
                                  "--out", first.string()});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(read_probes(first).size(), 12U) << "--count replaced one probe per port";

    const auto kept = file_text(first / "scenario.toml");
    EXPECT_NE(kept.find("count = 12"), std::string::npos) << kept;
    EXPECT_EQ(kept.find("\nout ="), std::string::npos) << "the copy must not point back at its own directory";
    const auto summary = read_summary(first);
    const auto& recorded = summary.at("scenario").as_object();
    EXPECT_EQ(recorded.at("sha256").as_string(), core::sha256_hex(kept));
    EXPECT_EQ(recorded.at("name").as_string(), "loopback");
    EXPECT_EQ(recorded.at("labels").at("team").as_string(), "netops");
    EXPECT_EQ(recorded.at("thresholds").at("min_probes").to_number<std::uint64_t>(), 10U);

    const auto second = dir.path() / "second";
    const auto again = run_command({tlsprobe_binary(), "run", "--scenario", (first / "scenario.toml").string(),
                                    "--out", second.string()});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(file_text(second / "scenario.toml"), kept);
    EXPECT_EQ(read_summary(second).at("scenario").at("sha256"), recorded.at("sha256"));
    EXPECT_EQ(read_probes(second).size(), 12U);
}

TEST(ScenarioRun, FewerProbesThanMinProbesIsNotEnoughEvidence)
{
    const Server server("normal");
    TempDir dir;
    const auto scenario = dir.path() / "few.toml";
    std::ofstream(scenario) << "[probe]\ntarget = \"" << server.target()
                            << "\"\nports = \"24100-24104\"\n[tls]\ninsecure = true\n[thresholds]\nmin_probes = 50\n";
    const auto run = run_command({tlsprobe_binary(), "run", "--scenario", scenario.string(), "--out",
                                  (dir.path() / "run").string()});
    EXPECT_EQ(run.exit_code, 4) << run.err;
    EXPECT_NE(run.out.find("only 5 probes reached the path; the scenario needs at least 50"), std::string::npos)
        << run.out;
}

TEST(ScenarioRun, HistoryOnRequestKeepsTheRun)
{
    const Server server("normal");
    TempDir dir;
    const auto history = dir.path() / "history.sqlite";
    for (const auto* name : {"one", "two"}) {
        const auto run = run_command({tlsprobe_binary(), "run", "--target", server.target(), "--insecure", "--ports",
                                      "24200-24209", "--out", (dir.path() / name).string(), "--history",
                                      history.string()});
        ASSERT_EQ(run.exit_code, 0) << run.err;
    }
    const auto shown = run_command({tlsprobe_binary(), "history", "--history", history.string(), "--json"});
    ASSERT_EQ(shown.exit_code, 0) << shown.err;
    const auto runs = boost::json::parse(shown.out).at("runs").as_array();
    ASSERT_EQ(runs.size(), 2U);
    EXPECT_EQ(runs[0].at("scenario").as_string(), "adhoc");
    EXPECT_EQ(runs[0].at("probes").to_number<std::uint64_t>(), 10U);
}

TEST(ScenarioRun, ABrokenScenarioWritesNothing)
{
    TempDir dir;
    const auto scenario = dir.path() / "broken.toml";
    std::ofstream(scenario) << "[probe]\ntarget = \"127.0.0.1:9\"\nconcurency = 5\n";
    const auto out = dir.path() / "run";
    const auto run = run_command({tlsprobe_binary(), "run", "--scenario", scenario.string(), "--out", out.string()});
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_NE(run.err.find(scenario.string() + ":3:1: unknown key \"probe.concurency\" (did you mean "
                                               "\"probe.concurrency\"?)"),
              std::string::npos)
        << run.err;
    EXPECT_FALSE(std::filesystem::exists(out));
}

}  // namespace
}  // namespace tlsprobe::testing
