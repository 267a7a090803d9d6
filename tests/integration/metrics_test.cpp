// The canary's metrics file with the real Prometheus tools: promtool's lint
// on what write_metrics_file writes, a real node_exporter serving it over
// HTTP, and writers killed with SIGKILL mid-write never leaving a torn file.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <random>
#include <set>
#include <thread>

#include "background_process.hpp"
#include "canary_metrics_sample.hpp"
#include "child_process.hpp"
#include "core/child_process.hpp"
#include "exposition.hpp"
#include "reports/metrics_file.hpp"

namespace tlsprobe::testing {
namespace {

namespace fs = std::filesystem;

// `promtool check metrics` on `text`: its exit code and what it said.
core::CommandResult promtool_check_metrics(const std::string& text)
{
    const std::vector<std::string> argv{"promtool", "check", "metrics"};
    core::CommandOptions options;
    options.input = text;
    options.limit = std::chrono::seconds(60);
    return core::run_command(argv, options);
}

TEST(PromtoolCheckMetrics, FindsNoProblemInAWrittenMetricsFile)
{
    TempDir dir;
    reports::write_metrics_file(dir.path(), sample_canary_metrics());
    const auto result = promtool_check_metrics(read_text(dir.path() / "tlsprobe_canary.prom"));
    EXPECT_TRUE(result.exit.succeeded()) << core::to_string(result.exit) << "\n" << result.out << result.err;
    EXPECT_EQ(result.out + result.err, "");
}

// The lint is not vacuous: a counter without _total and a missing HELP are problems to it.
TEST(PromtoolCheckMetrics, ReportsLintProblemsItIsGiven)
{
    const auto result = promtool_check_metrics(
        "# TYPE tlsprobe_probes counter\ntlsprobe_probes{outcome=\"ok\"} 3\n");
    EXPECT_FALSE(result.exit.succeeded());
    EXPECT_NE((result.out + result.err).find("tlsprobe_probes"), std::string::npos) << result.out << result.err;
}

TEST(NodeExporter, ServesTheCanaryMetricsFilesOverHttpAndPromtoolFindsNoProblem)
{
    TempDir dir;
    reports::write_metrics_file(dir.path(), sample_canary_metrics(1));
    // A second scenario on the same host, without captures or a hash model.
    auto plain = sample_canary_metrics(2, "prepost");
    plain.verdicts.reset();
    plain.faulty_buckets.reset();
    plain.hash_space_affected.reset();
    plain.capture_drops.clear();
    plain.healthy = true;
    plain.exit_code = 0;
    reports::write_metrics_file(dir.path(), plain);

    const auto port = free_loopback_port();
    BackgroundProcess exporter({"prometheus-node-exporter", "--collector.disable-defaults", "--collector.textfile",
                                "--collector.textfile.directory=" + dir.path().string(),
                                "--web.listen-address=127.0.0.1:" + std::to_string(port),
                                "--web.disable-exporter-metrics"});
    // Logged once the socket listens (exporter-toolkit logs it from Serve).
    ASSERT_TRUE(exporter.wait_for_stderr("msg=\"Listening on\"", std::chrono::seconds(30)))
        << "node_exporter did not start; is prometheus-node-exporter installed (scripts/install-deps)?\n"
        << exporter.stderr_text();
    const auto scrape = [&] {
        return run_command({"curl", "-sS", "--max-time", "10", "http://127.0.0.1:" + std::to_string(port) + "/metrics"},
                           std::chrono::seconds(20));
    };

    const auto served = scrape();
    ASSERT_EQ(served.exit_code, 0) << served.err;
    const auto exposition = parse_exposition(served.out);
    EXPECT_EQ(exposition.value("node_textfile_scrape_error"), 0) << served.out;
    EXPECT_EQ(exposition.find("node_textfile_mtime_seconds").size(), 2U) << served.out;
    // Every family of both files, with our HELP and TYPE, and the values written.
    const auto ours = parse_exposition(reports::metrics_text(sample_canary_metrics(1)));
    for (const auto& [name, family] : ours.families) {
        ASSERT_EQ(exposition.families.count(name), 1U) << name;
        EXPECT_EQ(exposition.families.at(name).help, family.help) << name;
        EXPECT_EQ(exposition.families.at(name).type, family.type) << name;
    }
    const std::map<std::string, std::string> canary{{"scenario", "canary"}, {"vantage", "fra1"}};
    auto ok = canary;
    ok["outcome"] = "ok";
    EXPECT_EQ(exposition.value("tlsprobe_last_run_probes", ok), 194);   // 201 probes, 7 failed
    EXPECT_EQ(exposition.value("tlsprobe_last_run_faulty_buckets", canary), 1);
    EXPECT_EQ(exposition.value("tlsprobe_last_run_healthy", canary), 0);
    EXPECT_EQ(exposition.value("tlsprobe_last_run_healthy", {{"scenario", "prepost"}}), 1);
    EXPECT_TRUE(exposition.find("tlsprobe_last_run_faulty_buckets", {{"scenario", "prepost"}}).empty());
    auto handshake = canary;
    handshake["phase"] = "tls_handshake";
    handshake["le"] = "+Inf";
    EXPECT_EQ(exposition.value("tlsprobe_last_run_phase_duration_seconds_bucket", handshake), 194);

    const auto lint = promtool_check_metrics(served.out);
    EXPECT_TRUE(lint.exit.succeeded()) << core::to_string(lint.exit) << "\n" << lint.out << lint.err;
    EXPECT_EQ(lint.out + lint.err, "");

    // The next run's file replaces the last: the next scrape serves it.
    auto next = sample_canary_metrics(3);
    next.healthy = true;
    next.exit_code = 0;
    reports::write_metrics_file(dir.path(), next);
    const auto rescraped = scrape();
    ASSERT_EQ(rescraped.exit_code, 0) << rescraped.err;
    const auto after = parse_exposition(rescraped.out);
    EXPECT_EQ(after.value("tlsprobe_last_run_healthy", canary), 1);
    EXPECT_EQ(after.value("tlsprobe_last_run_start_timestamp_seconds", canary), 1'700'000'003);

    EXPECT_EQ(exporter.terminate_and_wait(), 128 + SIGTERM) << exporter.stderr_text();
}

// A writer is killed with SIGKILL at seeded random moments while it rewrites
// the file as fast as it can: what is left is always one complete version,
// byte for byte what metrics_text gives for it, and nothing the textfile
// collector would read besides it.
TEST(MetricsFileKill9, AKilledWriterLeavesACompletePreviousOrNewVersion)
{
    TempDir dir;
    const auto path = dir.path() / "tlsprobe_canary.prom";
    std::mt19937_64 random(20240613);
    std::uniform_int_distribution<int> delay_us(0, 40'000);
    constexpr std::uint64_t rounds = 40;
    std::set<std::uint64_t> seen;
    std::uint64_t newer_than_first = 0;
    for (std::uint64_t round = 0; round < rounds; ++round) {
        const auto first = round * 1'000'000;
        ChildProcess writer({METRICS_WRITER_LOOP, dir.path().string(), std::to_string(first)});
        ASSERT_EQ(writer.read_line(std::chrono::seconds(30)), "wrote " + std::to_string(first));
        std::this_thread::sleep_for(std::chrono::microseconds(delay_us(random)));
        writer.send_signal(SIGKILL);
        ASSERT_EQ(writer.wait(), 128 + SIGKILL);

        const auto text = read_text(path);
        const auto exposition = parse_exposition(text);   // throws on a torn file
        const auto start = exposition.value("tlsprobe_last_run_start_timestamp_seconds");
        ASSERT_TRUE(start) << "round " << round << ":\n" << text;
        const auto version = static_cast<std::uint64_t>(*start - 1'700'000'000.0);
        ASSERT_GE(version, first) << "round " << round;
        ASSERT_EQ(text, reports::metrics_text(sample_canary_metrics(version))) << "round " << round;
        seen.insert(version);
        newer_than_first += version > first ? 1 : 0;
        for (const auto& entry : fs::directory_iterator(dir.path())) {
            const auto name = entry.path().filename().string();
            EXPECT_TRUE(name == "tlsprobe_canary.prom" || name.starts_with(".tlsprobe_canary.prom.")) << name;
            EXPECT_FALSE(name != "tlsprobe_canary.prom" && name.ends_with(".prom")) << name;
        }
    }
    EXPECT_EQ(seen.size(), rounds);
    // How far the writers got, for the log: not asserted (it depends on the disk).
    std::printf("%llu of %llu kills found a version past the first\n", static_cast<unsigned long long>(newer_than_first),
                static_cast<unsigned long long>(rounds));
}

}  // namespace
}  // namespace tlsprobe::testing
