// Scenario files: every class of mistake is reported with the file, line,
// column and key; flags override the file and pass the same checks; `show`
// writes what loads back to the same scenario; the shipped files load.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "scenarios/scenario_file.hpp"

namespace tlsprobe::scenarios {
namespace {

namespace fs = std::filesystem;

class ScenarioFile : public ::testing::Test {
protected:
    void SetUp() override
    {
        dir_ = fs::temp_directory_path() / ("tlsprobe-scenario-test-" + std::to_string(::getpid()));
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    fs::path write(const std::string& text, const std::string& name = "s.toml")
    {
        const auto path = dir_ / name;
        std::ofstream(path) << text;
        return path;
    }

    // The message of the error loading `text` throws, and whether it was an InputError.
    std::string error_of(const std::string& text, const ScenarioOverrides& overrides = {})
    {
        try {
            (void)load_scenario(write(text), overrides);
        } catch (const core::InputError& error) {
            return error.what();
        } catch (const core::UsageError& error) {
            return "usage: " + error.field() + error.detail();
        }
        return "no error";
    }

    [[nodiscard]] std::string file() const { return (dir_ / "s.toml").string(); }

    fs::path dir_;
};

constexpr const char* minimal = "[probe]\ntarget = \"127.0.0.1:443\"\n";

TEST_F(ScenarioFile, EachMistakeNamesFileLineColumnAndKey)
{
    EXPECT_EQ(error_of("[probe]\ntarget = 127.0.0.1:443\n").substr(0, file().size() + 10), file() + ":2:12: not");
    EXPECT_EQ(error_of(std::string(minimal) + "rat = 5\n"),
              file() + ":3:1: unknown key \"probe.rat\" (did you mean \"probe.rate\"?)");
    EXPECT_EQ(error_of(std::string(minimal) + "[tls]\nhandshake_timeout = 5\n"),
              file() + ":4:1: unknown key \"tls.handshake_timeout\" (did you mean \"probe.handshake_timeout\"?)");
    EXPECT_EQ(error_of(std::string(minimal) + "rate = \"fast\"\n"),
              file() + ":3:8: key \"probe.rate\": expects a number, not a string");
    EXPECT_EQ(error_of(std::string(minimal) + "concurrency = 0\n"),
              file() + ":3:15: key \"probe.concurrency\": must be a whole number from 1 to 1000000, not 0");
    EXPECT_EQ(error_of(std::string(minimal) + "count = 5\nduration = 3.0\n"),
              file() + ":4:12: conflicting keys \"probe.count\" and \"probe.duration\": give one of them");
    EXPECT_EQ(error_of("[probe]\nrate = 5.0\n"), file() + ": missing required key \"probe.target\" (HOST:PORT to probe)");
    EXPECT_EQ(error_of(std::string(minimal) + "duration = 5.0\nrate = 0\n"),
              file() + ":3:12: key \"probe.duration\" needs a \"probe.rate\" above 0: an unpaced run is bounded by "
                       "\"probe.count\"");
    EXPECT_EQ(error_of(std::string(minimal) + "[thresholds]\nalpha = 0.7\n"),
              file() + ":4:9: key \"thresholds.alpha\": must be in (0, 0.5]");
    EXPECT_EQ(error_of(std::string(minimal) + "arrival = \"bursty\"\n"),
              file() + ":3:11: key \"probe.arrival\": must be one of constant, poisson, not \"bursty\"");
    EXPECT_EQ(error_of(std::string(minimal) + "[[capture]]\nname = \"client\"\nfilter = \"tcp\"\n"),
              file() + ":5:1: unknown key \"capture.filter\" (a capture takes name, interface or command)");
    EXPECT_EQ(error_of(std::string(minimal) + "[[capture]]\nname = \"client\"\n"),
              file() + ":3:1: key \"capture\" client: give an interface or a command, not neither");
    EXPECT_EQ(error_of(std::string(minimal) + "[labels]\nteam = 3\n"),
              file() + ":4:8: label \"team\" expects a string, not an integer");
    EXPECT_NE(error_of("\xff\xfe").find(file() + ":1:1: not TOML"), std::string::npos);
}

TEST_F(ScenarioFile, AMissingFileIsBadInputNamingIt)
{
    try {
        (void)load_scenario(dir_ / "none.toml", {});
        FAIL() << "loaded a missing file";
    } catch (const core::InputError& error) {
        EXPECT_EQ(std::string(error.what()), (dir_ / "none.toml").string() + ": cannot read the scenario file");
    }
}

TEST_F(ScenarioFile, FlagsOverrideTheFileAndPassTheSameChecks)
{
    const auto path = write(std::string(minimal) + "rate = 50.0\ncount = 10\n[tls]\nca_file = \"ca.pem\"\n");
    std::ofstream(dir_ / "ca.pem") << "x";
    ScenarioOverrides overrides;
    overrides.set("probe.rate", {"20"});
    overrides.set("probe.duration", {"3"});
    overrides.set("tls.insecure", {"true"});
    const auto loaded = load_scenario(path, overrides);
    EXPECT_EQ(loaded.scenario.plan.rate, 20.0);
    EXPECT_FALSE(loaded.scenario.plan.count) << "a duration flag replaces the file's count";
    EXPECT_EQ(loaded.scenario.plan.duration, std::chrono::seconds(3));
    EXPECT_FALSE(loaded.scenario.plan.tls.verify);
    EXPECT_FALSE(loaded.scenario.plan.tls.ca_file) << "--insecure replaces the file's ca_file";
    EXPECT_EQ(loaded.scenario.name, "s");

    ScenarioOverrides bad;
    bad.set("probe.rate", {"-1"});
    EXPECT_EQ(error_of(minimal, bad), "usage: rate: must be at least 0, not -1") << "a flag's error names the field";
    ScenarioOverrides words;
    words.set("probe.hold", {"soon"});
    EXPECT_EQ(error_of(minimal, words), "usage: hold: \"soon\" is not a number");
}

TEST_F(ScenarioFile, RelativePathsInAFileAreRelativeToTheFile)
{
    fs::create_directories(dir_ / "sub");
    std::ofstream(dir_ / "sub" / "ports.txt") << "# two ports\n20001\n20003\n";
    const auto loaded =
        load_scenario(write(std::string(minimal) + "ports_file = \"ports.txt\"\n", "sub/s.toml"), {});
    EXPECT_EQ(loaded.scenario.plan.ports, (std::vector<std::uint16_t>{20001, 20003}));
}

TEST_F(ScenarioFile, ShowWritesWhatLoadsBackToTheSameScenario)
{
    const auto path = write(std::string(minimal) +
                            "ports = [20000, 20002]\nrate = 12.5\narrival = \"poisson\"\n"
                            "[tls]\nalpn = [\"h2\", \"http/1.1\"]\nsni = \"a \\\"quoted\\\" name\"\n"
                            "[thresholds]\nmin_probes = 7\n[labels]\nteam = \"net ops\"\n\"odd key\" = \"x\"\n"
                            "[[capture]]\nname = \"server\"\ncommand = [\"agent\", \"--flag\", \"with space\"]\n");
    const auto first = load_scenario(path, {});
    const auto text = scenario_toml(first.scenario, true);
    const auto again = load_scenario(write(text, "shown.toml"), {});
    EXPECT_EQ(scenario_toml(again.scenario, true), text);
    EXPECT_EQ(again.scenario.plan.ports, (std::vector<std::uint16_t>{20000, 20002}));
    EXPECT_EQ(again.scenario.captures.at(0).command.at(2), "with space");
    EXPECT_EQ(again.scenario.labels.at("odd key"), "x");
    EXPECT_EQ(again.scenario.thresholds.min_probes, 7U);
}

TEST_F(ScenarioFile, EveryShippedScenarioLoads)
{
    for (const auto* name : {"incident.toml", "prepost.toml", "canary.toml"}) {
        const auto path = fs::path(TLSPROBE_SOURCE_DIR) / "scenarios" / name;
        SCOPED_TRACE(path.string());
        const auto loaded = load_scenario(path, {});
        EXPECT_EQ(loaded.scenario.plan.target.host, "198.18.100.10");
        EXPECT_EQ(loaded.scenario.name + ".toml", name);
    }
}

}  // namespace
}  // namespace tlsprobe::scenarios
