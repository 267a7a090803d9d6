// `tlsprobe canary` on loopback: silent and 0 when healthy, a short report
// and 1 when not, 5 while another canary of the scenario holds the lock, 4
// when stopped at its wall-clock bound, old run directories pruned.
#include <fcntl.h>
#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

#include "child_process.hpp"
#include "core/child_process.hpp"
#include "core/file_descriptor.hpp"
#include "run_records.hpp"
#include "serve_process.hpp"

namespace tlsprobe::testing {
namespace {

namespace fs = std::filesystem;

class Canary : public ::testing::Test {
protected:
    // A small canary scenario against `target`.
    fs::path scenario(const std::string& target, const std::string& extra = "")
    {
        const auto path = dir_.path() / "loop.toml";
        std::ofstream(path) << "name = \"loop\"\n[probe]\ntarget = \"" << target
                            << "\"\nports = \"26000-26039\"\ncount = 40\nrate = 200.0\nmax_seconds = 30.0\n"
                               "[tls]\ninsecure = true\n[thresholds]\nmin_probes = 20\n"
                            << extra;
        return path;
    }

    CommandResult canary(const fs::path& scenario_file, std::vector<std::string> extra = {})
    {
        std::vector<std::string> args{tlsprobe_binary(), "canary", scenario_file.string(), "--state-dir", state()};
        args.insert(args.end(), extra.begin(), extra.end());
        return run_command(args, std::chrono::seconds(90));
    }

    [[nodiscard]] std::string state() const { return (dir_.path() / "state").string(); }

    [[nodiscard]] std::vector<fs::path> run_dirs() const
    {
        std::vector<fs::path> dirs;
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(dir_.path() / "state" / "runs" / "loop", ec)) {
            dirs.push_back(entry.path());
        }
        std::sort(dirs.begin(), dirs.end());
        return dirs;
    }

    TempDir dir_;
};

TEST_F(Canary, HealthyIsSilentAndExitsZero)
{
    const Server server("normal");
    const auto result = canary(scenario(server.target()));
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_EQ(result.out, "");
    EXPECT_EQ(result.err, "") << "cron mails any output";
    ASSERT_EQ(run_dirs().size(), 1U);
    EXPECT_EQ(read_probes(run_dirs()[0]).size(), 40U);
}

TEST_F(Canary, WritesMetricsPromtoolFindsClean)
{
    const Server server("normal");
    const auto metrics = dir_.path() / "textfile";
    fs::create_directories(metrics);
    ASSERT_EQ(canary(scenario(server.target()), {"--metrics-dir", metrics.string()}).exit_code, 0);
    std::ifstream in(metrics / "tlsprobe_loop.prom");
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("tlsprobe_last_run_healthy{scenario=\"loop\""), std::string::npos) << text;
    EXPECT_NE(text.find(",outcome=\"ok\"} 40"), std::string::npos) << text;
    core::CommandOptions options;
    options.input = text;
    options.limit = std::chrono::seconds(60);
    const std::vector<std::string> promtool{"promtool", "check", "metrics"};
    const auto lint = core::run_command(promtool, options);
    EXPECT_TRUE(lint.exit.succeeded()) << lint.out << lint.err;
    EXPECT_EQ(lint.out + lint.err, "");

    const auto failing = canary(scenario("127.0.0.1:" + std::to_string(free_loopback_port())),
                                {"--metrics-dir", metrics.string()});
    EXPECT_EQ(failing.exit_code, 1);
    std::ifstream again(metrics / "tlsprobe_loop.prom");
    const std::string after((std::istreambuf_iterator<char>(again)), std::istreambuf_iterator<char>());
    EXPECT_NE(after.find("tlsprobe_last_run_exit_code{scenario=\"loop\""), std::string::npos) << after;
    EXPECT_NE(after.find(",outcome=\"connect_refused\"} 40"),
              std::string::npos)
        << after;
}

TEST_F(Canary, UnhealthySaysWhatAndWhereAndExitsOne)
{
    const auto result = canary(scenario("127.0.0.1:" + std::to_string(free_loopback_port())));
    EXPECT_EQ(result.exit_code, 1) << result.err;
    ASSERT_EQ(run_dirs().size(), 1U);
    EXPECT_TRUE(result.out.starts_with("canary loop: unhealthy (exit 1); run directory " + run_dirs()[0].string()))
        << result.out;
    EXPECT_NE(result.out.find("outcomes: connect_refused 40"), std::string::npos) << result.out;
}

TEST_F(Canary, ASecondCanaryOfTheScenarioExitsFiveAndRunsNothing)
{
    const Server server("normal");
    const auto lock_file = dir_.path() / "state" / "locks" / "loop.lock";
    fs::create_directories(lock_file.parent_path());
    const core::FileDescriptor held(::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    ASSERT_EQ(::flock(held.get(), LOCK_EX | LOCK_NB), 0);
    const auto result = canary(scenario(server.target()));
    EXPECT_EQ(result.exit_code, 5);
    EXPECT_NE(result.err.find("another run of this scenario holds " + lock_file.string()), std::string::npos)
        << result.err;
    EXPECT_TRUE(run_dirs().empty());
}

TEST_F(Canary, ASilentServerIsStoppedAtTheBound)
{
    const Server server("silent", "60");
    const auto started = std::chrono::steady_clock::now();
    const auto result = canary(scenario(server.target()), {"--handshake-timeout", "60", "--max-seconds", "5"});
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(result.exit_code, 4) << result.out << result.err;
    EXPECT_LT(took, std::chrono::seconds(15)) << "the bound is 5 s";
    EXPECT_NE(result.out.find("the run stopped at its bound (max_seconds 5.0 s)"), std::string::npos) << result.out;
    ASSERT_EQ(run_dirs().size(), 1U);
    const auto summary = read_summary(run_dirs()[0]);
    EXPECT_TRUE(summary.at("hit_bound").as_bool());
    EXPECT_EQ(summary.at("outcomes").at("interrupted").to_number<std::uint64_t>(), 40U)
        << "every probe in flight at the bound is recorded";
}

TEST_F(Canary, RetentionKeepsTheNewestRuns)
{
    const Server server("normal");
    const auto file = scenario(server.target(), "[retention]\nkeep_runs = 2\n");
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(canary(file).exit_code, 0);
    }
    EXPECT_EQ(run_dirs().size(), 2U);
    const auto history = run_command({tlsprobe_binary(), "history", "--history", state() + "/history.sqlite", "--json"});
    ASSERT_EQ(history.exit_code, 0) << history.err;
    EXPECT_EQ(boost::json::parse(history.out).at("runs").as_array().size(), 3U)
        << "the history keeps every run, pruned directories included";
}

TEST_F(Canary, ADamagedHistoryIsNamedAndTheMetricsAreStillWritten)
{
    const Server server("normal");
    const auto metrics = dir_.path() / "textfile";
    fs::create_directories(metrics);
    const auto history = dir_.path() / "history.sqlite";
    std::ofstream(history) << "not a database\n";
    const auto result = canary(scenario(server.target()),
                               {"--metrics-dir", metrics.string(), "--history", history.string()});
    EXPECT_EQ(result.exit_code, 2) << "a healthy run whose history is damaged is not quiet";
    EXPECT_NE(result.err.find("history: " + history.string()), std::string::npos) << result.err;
    EXPECT_TRUE(fs::exists(metrics / "tlsprobe_loop.prom"));
    std::ifstream in(history);
    std::string text;
    std::getline(in, text);
    EXPECT_EQ(text, "not a database") << "the file is never written over";
}

}  // namespace
}  // namespace tlsprobe::testing
