// The canary's metrics file: what node_exporter serves and Prometheus
// alerts on. The text must parse back with HELP and TYPE on every family,
// carry the run's numbers under bounded labels, and replace the previous
// file whole or not at all.
#include "reports/metrics_file.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <set>
#include <stdexcept>

#include "canary_metrics_sample.hpp"
#include "core/errors.hpp"
#include "results/history_run.hpp"
#include "exposition.hpp"
#include "temp_dir.hpp"

namespace tlsprobe::reports {
namespace {

namespace fs = std::filesystem;
using testing::parse_exposition;
using testing::read_text;
using testing::sample_canary_metrics;

const std::map<std::string, std::string> run_labels{
    {"scenario", "canary"}, {"target", "192.0.2.10:443"}, {"vantage", "fra1"}};

std::map<std::string, std::string> with(std::map<std::string, std::string> labels, const std::string& name,
                                        const std::string& value)
{
    labels[name] = value;
    return labels;
}

TEST(MetricsText, EveryFamilyHasHelpAndTypeAndEverySampleTheRunLabels)
{
    const auto exposition = parse_exposition(metrics_text(sample_canary_metrics()));
    std::set<std::string> names;
    for (const auto& [name, family] : exposition.families) {
        names.insert(name);
        EXPECT_FALSE(family.help.empty()) << name;
        EXPECT_TRUE(name.starts_with("tlsprobe_")) << name;
        EXPECT_EQ(family.type, name == "tlsprobe_last_run_phase_duration_seconds" ? "histogram" : "gauge") << name;
    }
    EXPECT_EQ(names, (std::set<std::string>{
                         "tlsprobe_last_run_probes",
                         "tlsprobe_last_run_verdicts",
                         "tlsprobe_last_run_phase_duration_seconds",
                         "tlsprobe_last_run_faulty_buckets",
                         "tlsprobe_last_run_hash_space_affected_ratio",
                         "tlsprobe_last_run_capture_dropped_packets",
                         "tlsprobe_last_run_start_timestamp_seconds",
                         "tlsprobe_last_run_duration_seconds",
                         "tlsprobe_last_success_timestamp_seconds",
                         "tlsprobe_last_run_healthy",
                         "tlsprobe_last_run_hit_bound",
                         "tlsprobe_last_run_exit_code",
                     }));
    for (const auto& sample : exposition.samples) {
        for (const auto& [label, value] : run_labels) {
            EXPECT_EQ(sample.labels.count(label) == 1 ? sample.labels.at(label) : "", value) << sample.name;
        }
    }
}

TEST(MetricsText, CarriesTheRunsNumbersUnderTheirLabels)
{
    const auto exposition = parse_exposition(metrics_text(sample_canary_metrics()));
    const auto value = [&](const std::string& name, const std::map<std::string, std::string>& labels = run_labels) {
        const auto found = exposition.value(name, labels);
        EXPECT_TRUE(found) << name;
        return found.value_or(-1);
    };
    EXPECT_EQ(value("tlsprobe_last_run_probes", with(run_labels, "outcome", "ok")), 193);
    EXPECT_EQ(value("tlsprobe_last_run_probes", with(run_labels, "outcome", "handshake_timeout")), 7);
    // Every outcome is there, the ones that did not happen as 0, so a rate
    // over outcomes never misses a series.
    EXPECT_EQ(exposition.find("tlsprobe_last_run_probes").size(), static_cast<std::size_t>(prober::outcome_count));
    EXPECT_EQ(value("tlsprobe_last_run_probes", with(run_labels, "outcome", "connect_refused")), 0);
    EXPECT_EQ(exposition.find("tlsprobe_last_run_verdicts").size(), static_cast<std::size_t>(results::verdict_count));
    EXPECT_EQ(value("tlsprobe_last_run_verdicts", with(run_labels, "verdict", "client_hello_lost")), 7);
    EXPECT_EQ(value("tlsprobe_last_run_faulty_buckets"), 1);
    EXPECT_EQ(value("tlsprobe_last_run_hash_space_affected_ratio"), 0.125);
    EXPECT_EQ(value("tlsprobe_last_run_capture_dropped_packets", with(run_labels, "capture", "server")), 3);
    EXPECT_EQ(value("tlsprobe_last_run_capture_dropped_packets", with(run_labels, "capture", "client")), 0);
    EXPECT_EQ(value("tlsprobe_last_run_start_timestamp_seconds"), 1'700'000'000);
    EXPECT_EQ(value("tlsprobe_last_success_timestamp_seconds"), 1'699'999'700);
    EXPECT_EQ(value("tlsprobe_last_run_duration_seconds"), 12.5);
    EXPECT_EQ(value("tlsprobe_last_run_healthy"), 0);
    EXPECT_EQ(value("tlsprobe_last_run_hit_bound"), 0);
    EXPECT_EQ(value("tlsprobe_last_run_exit_code"), 1);

    auto healthy = sample_canary_metrics();
    healthy.healthy = true;
    healthy.hit_bound = true;
    healthy.exit_code = 0;
    const auto other = parse_exposition(metrics_text(healthy));
    EXPECT_EQ(other.value("tlsprobe_last_run_healthy"), 1);
    EXPECT_EQ(other.value("tlsprobe_last_run_hit_bound"), 1);
    EXPECT_EQ(other.value("tlsprobe_last_run_exit_code"), 0);
}

TEST(MetricsText, HistogramBucketsAreCumulativeAndEndAtTheCount)
{
    const auto metrics = sample_canary_metrics();
    const auto exposition = parse_exposition(metrics_text(metrics));
    ASSERT_EQ(metrics.phases.size(), static_cast<std::size_t>(prober::phase_count));
    for (const auto& phase : metrics.phases) {
        const auto labels = with(run_labels, "phase", phase.phase);
        auto buckets = exposition.find("tlsprobe_last_run_phase_duration_seconds_bucket", labels);
        ASSERT_EQ(buckets.size(), latency_bounds_seconds.size() + 1) << phase.phase;
        std::sort(buckets.begin(), buckets.end(),
                  [](const auto& a, const auto& b) { return std::stod(a.labels.at("le")) < std::stod(b.labels.at("le")); });
        for (std::size_t i = 0; i < latency_bounds_seconds.size(); ++i) {
            EXPECT_EQ(std::stod(buckets[i].labels.at("le")), latency_bounds_seconds[i]);
            EXPECT_EQ(buckets[i].value, static_cast<double>(phase.counts[i])) << phase.phase << " le " << i;
            if (i > 0) {
                EXPECT_GE(buckets[i].value, buckets[i - 1].value) << phase.phase;
            }
        }
        EXPECT_EQ(buckets.back().labels.at("le"), "+Inf");
        const auto count = exposition.value("tlsprobe_last_run_phase_duration_seconds_count", labels);
        EXPECT_EQ(buckets.back().value, count) << phase.phase;
        EXPECT_EQ(count, static_cast<double>(phase.count)) << phase.phase;
        EXPECT_DOUBLE_EQ(exposition.value("tlsprobe_last_run_phase_duration_seconds_sum", labels).value_or(-1),
                         phase.sum_seconds);
    }
    // Every probe connected; the 7 that timed out never finished the handshake.
    EXPECT_EQ(exposition.value("tlsprobe_last_run_phase_duration_seconds_count", with(run_labels, "phase", "tcp_connect")),
              200);
    EXPECT_EQ(
        exposition.value("tlsprobe_last_run_phase_duration_seconds_count", with(run_labels, "phase", "tls_handshake")),
        193);
}

TEST(MetricsText, AHandMadeHistogramReadsBackBucketByBucket)
{
    auto metrics = sample_canary_metrics();
    metrics.phases = {{.phase = "tls_handshake",
                       .upper_bounds_seconds = {0.01, 0.1, 1.0},
                       .counts = {1, 3, 3},
                       .count = 5,
                       .sum_seconds = 2.75}};
    const auto exposition = parse_exposition(metrics_text(metrics));
    const auto labels = with(run_labels, "phase", "tls_handshake");
    const auto bucket = [&](const std::string& le) {
        return exposition.value("tlsprobe_last_run_phase_duration_seconds_bucket", with(labels, "le", le));
    };
    EXPECT_EQ(bucket("0.01"), 1);
    EXPECT_EQ(bucket("0.1"), 3);
    EXPECT_EQ(bucket("1"), 3);
    EXPECT_EQ(bucket("+Inf"), 5);
    EXPECT_EQ(exposition.value("tlsprobe_last_run_phase_duration_seconds_sum", labels), 2.75);
}

TEST(MetricsText, FamiliesOfWhatTheRunDidNotHaveAreLeftOut)
{
    auto metrics = sample_canary_metrics();
    metrics.verdicts.reset();
    metrics.faulty_buckets.reset();
    metrics.hash_space_affected.reset();
    metrics.capture_drops.clear();
    metrics.last_success_unix_seconds.reset();
    const auto exposition = parse_exposition(metrics_text(metrics));
    for (const auto* absent : {"tlsprobe_last_run_verdicts", "tlsprobe_last_run_faulty_buckets",
                               "tlsprobe_last_run_hash_space_affected_ratio",
                               "tlsprobe_last_run_capture_dropped_packets", "tlsprobe_last_success_timestamp_seconds"}) {
        EXPECT_EQ(exposition.families.count(absent), 0U) << absent;
        EXPECT_TRUE(exposition.find(absent).empty()) << absent;
    }
    EXPECT_EQ(exposition.value("tlsprobe_last_run_healthy"), 0);
}

TEST(MetricsText, LabelValuesAreEscaped)
{
    auto metrics = sample_canary_metrics();
    metrics.vantage = "rack \"7\" \\ row\n2";
    const auto exposition = parse_exposition(metrics_text(metrics));
    EXPECT_EQ(exposition.value("tlsprobe_last_run_healthy", {{"vantage", "rack \"7\" \\ row\n2"}}), 0);
}

TEST(MetricsText, TheSameRunGivesTheSameText)
{
    EXPECT_EQ(metrics_text(sample_canary_metrics(3)), metrics_text(sample_canary_metrics(3)));
    EXPECT_NE(metrics_text(sample_canary_metrics(3)), metrics_text(sample_canary_metrics(4)));
}

TEST(MetricsText, RefusesLabelValuesOutsideTheirSetsAndInconsistentHistograms)
{
    const auto refused = [](auto change) {
        auto metrics = sample_canary_metrics();
        change(metrics);
        EXPECT_THROW((void)metrics_text(metrics), std::invalid_argument);
    };
    refused([](CanaryMetrics& m) { m.outcomes["port_23001_failed"] = 1; });
    refused([](CanaryMetrics& m) { m.verdicts->emplace("bucket_5", 1); });
    refused([](CanaryMetrics& m) { m.phases[0].phase = "handshake_port_23001"; });
    refused([](CanaryMetrics& m) { m.phases[0].counts.pop_back(); });
    refused([](CanaryMetrics& m) { std::swap(m.phases[0].upper_bounds_seconds[0], m.phases[0].upper_bounds_seconds[1]); });
    refused([](CanaryMetrics& m) {
        m.phases[0].counts = std::vector<std::uint64_t>(m.phases[0].counts.size(), 0);
        m.phases[0].counts[0] = 1;   // 1, then 0: not cumulative
    });
    refused([](CanaryMetrics& m) { m.phases[0].counts.back() = m.phases[0].count + 1; });
    refused([](CanaryMetrics& m) { m.hash_space_affected = 1.5; });
    refused([](CanaryMetrics& m) { m.hash_space_affected = std::nan(""); });
}

TEST(MetricsFill, EveryOutcomeAndVerdictByNameZerosIncluded)
{
    prober::RunStats stats;
    prober::ProbeRecord record;
    record.outcome = prober::Outcome::tls_alert;
    stats.add(record);
    const auto outcomes = results::outcome_counts(stats);
    EXPECT_EQ(outcomes.size(), static_cast<std::size_t>(prober::outcome_count));
    EXPECT_EQ(outcomes.at("tls_alert"), 1U);
    EXPECT_EQ(outcomes.at("ok"), 0U);

    std::array<std::uint64_t, results::verdict_count> counts{};
    counts[static_cast<std::size_t>(results::Verdict::syn_lost)] = 4;
    const auto verdicts = results::verdict_counts(counts);
    EXPECT_EQ(verdicts.size(), static_cast<std::size_t>(results::verdict_count));
    EXPECT_EQ(verdicts.at("syn_lost"), 4U);
    EXPECT_EQ(verdicts.at("unknown"), 0U);
}

TEST(MetricsFill, APhaseHistogramBecomesCumulativeBucketsInSeconds)
{
    prober::LatencyHistogram histogram;
    for (const std::int64_t ns : std::vector<std::int64_t>{400'000, 900'000, 1'700'000, 30'000'000, 7'000'000'000}) {
        histogram.record(ns);
    }
    const std::array<double, 4> bounds{0.001, 0.002, 0.05, 5.0};
    const auto latency = phase_latency(prober::Phase::tls_handshake, histogram, bounds);
    EXPECT_EQ(latency.phase, "tls_handshake");
    EXPECT_EQ(latency.upper_bounds_seconds, std::vector<double>(bounds.begin(), bounds.end()));
    EXPECT_EQ(latency.counts, (std::vector<std::uint64_t>{2, 3, 4, 4}));
    EXPECT_EQ(latency.count, 5U);
    EXPECT_DOUBLE_EQ(latency.sum_seconds, 7.033);
    EXPECT_EQ(phase_latencies(prober::RunStats{}).size(), static_cast<std::size_t>(prober::phase_count));
}

class MetricsFile : public ::testing::Test {
protected:
    [[nodiscard]] std::set<std::string> entries() const
    {
        std::set<std::string> names;
        for (const auto& entry : fs::directory_iterator(dir_)) {
            names.insert(entry.path().filename().string());
        }
        return names;
    }

    // Runs write_metrics_file in a child after `setup` and returns its exit
    // code: 0 when it threw core::EnvironmentError naming the metrics file.
    template <typename Setup>
    int write_in_child(Setup setup, const CanaryMetrics& metrics) const
    {
        const pid_t child = ::fork();
        if (child == 0) {
            // UBSan's vptr check reads /proc/self/maps the first time it
            // meets a type; made here, before `setup` may take every free
            // descriptor, it does not fail for want of one.
            try {
                throw core::EnvironmentError("before the limit");
            } catch (const core::EnvironmentError& error) {
                (void)std::string(error.what());
            }
            setup();
            try {
                write_metrics_file(dir_, metrics);
            } catch (const core::EnvironmentError& error) {
                ::_exit(std::string(error.what()).find("tlsprobe_canary.prom") != std::string::npos ? 0 : 3);
            } catch (...) {
                ::_exit(4);
            }
            ::_exit(5);
        }
        int status = 0;
        ::waitpid(child, &status, 0);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }

    static auto limited(int resource, rlim_t limit)
    {
        return [resource, limit] {
            ::signal(SIGXFSZ, SIG_IGN);   // past the size limit, write(2) fails with EFBIG instead
            const rlimit bound{limit, limit};
            ::setrlimit(resource, &bound);
        };
    }

    testing::TempDir scratch_;
    const fs::path& dir_ = scratch_.path();
};

TEST_F(MetricsFile, IsNamedAfterTheScenarioInTheDirectory)
{
    EXPECT_EQ(metrics_file_path(dir_, "canary"), dir_ / "tlsprobe_canary.prom");
    EXPECT_EQ(metrics_file_path(dir_, "Edge-2.prepost_v1"), dir_ / "tlsprobe_Edge-2.prepost_v1.prom");
}

TEST_F(MetricsFile, AScenarioNameThatIsNotAFileNameComponentIsRefusedNamingTheField)
{
    for (const std::string& bad : std::vector<std::string>{"", "a/b", "../../etc/cron.d/x", "two words", "line\nbreak", "caf\xc3\xa9",
                                  std::string(201, 'x')}) {
        try {
            (void)metrics_file_path(dir_, bad);
            ADD_FAILURE() << "accepted \"" << bad << "\"";
        } catch (const core::UsageError& error) {
            EXPECT_EQ(error.field(), "name") << bad;
        }
        auto metrics = sample_canary_metrics();
        metrics.scenario = bad;
        EXPECT_THROW(write_metrics_file(dir_, metrics), core::UsageError) << bad;
    }
    EXPECT_NO_THROW((void)metrics_file_path(dir_, std::string(200, 'x')));
    EXPECT_TRUE(entries().empty());
}

TEST_F(MetricsFile, EachWriteReplacesTheWholeFileAndLeavesNothingElse)
{
    write_metrics_file(dir_, sample_canary_metrics(1));
    write_metrics_file(dir_, sample_canary_metrics(2));
    const auto path = dir_ / "tlsprobe_canary.prom";
    EXPECT_EQ(read_text(path), metrics_text(sample_canary_metrics(2)));
    EXPECT_EQ(entries(), std::set<std::string>{"tlsprobe_canary.prom"});
    // node_exporter usually runs as another user than the canary.
    struct stat info {};
    ASSERT_EQ(::stat(path.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0644U);
    // Another scenario gets a file of its own beside it.
    write_metrics_file(dir_, sample_canary_metrics(1, "prepost"));
    EXPECT_EQ(entries(), (std::set<std::string>{"tlsprobe_canary.prom", "tlsprobe_prepost.prom"}));
}

// Each failure in a child, so the limits and identities it needs stay there:
// the file-size limit cuts the write of the new text, the open-files limit
// stops the temporary's creation, a read-only directory refuses it.
TEST_F(MetricsFile, AWriteThatFailsMidwayLeavesThePreviousFileWhole)
{
    write_metrics_file(dir_, sample_canary_metrics(1));
    const auto before = read_text(dir_ / "tlsprobe_canary.prom");
    ASSERT_GT(before.size(), 4096U);
    EXPECT_EQ(write_in_child(limited(RLIMIT_FSIZE, 4096), sample_canary_metrics(2)), 0);
    EXPECT_EQ(read_text(dir_ / "tlsprobe_canary.prom"), before);
    EXPECT_EQ(entries(), std::set<std::string>{"tlsprobe_canary.prom"});
}

TEST_F(MetricsFile, AWriteThatCannotCreateItsTemporaryLeavesThePreviousFileWhole)
{
    write_metrics_file(dir_, sample_canary_metrics(1));
    const auto before = read_text(dir_ / "tlsprobe_canary.prom");
    // The lowest free descriptor number as the limit: no new file can be opened.
    const int lowest_free = ::dup(0);
    ::close(lowest_free);
    EXPECT_EQ(write_in_child(limited(RLIMIT_NOFILE, static_cast<rlim_t>(lowest_free)), sample_canary_metrics(2)), 0);
    EXPECT_EQ(read_text(dir_ / "tlsprobe_canary.prom"), before);
    EXPECT_EQ(entries(), std::set<std::string>{"tlsprobe_canary.prom"});
}

TEST_F(MetricsFile, AReadOnlyDirectoryLeavesThePreviousFileWhole)
{
    write_metrics_file(dir_, sample_canary_metrics(1));
    fs::permissions(dir_, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::others_read |
                              fs::perms::others_exec);
    // Root ignores the mode, so a root test writes as nobody.
    const auto unprivileged = [] {
        if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) {
            ::_exit(6);
        }
    };
    EXPECT_EQ(write_in_child(unprivileged, sample_canary_metrics(2)), 0);
    fs::permissions(dir_, fs::perms::owner_all);
    EXPECT_EQ(read_text(dir_ / "tlsprobe_canary.prom"), metrics_text(sample_canary_metrics(1)));
    EXPECT_EQ(entries(), std::set<std::string>{"tlsprobe_canary.prom"});
}

TEST_F(MetricsFile, TemporariesLeftByKilledWritersNeitherBlockTheWriteNorBecomeTheFile)
{
    write_metrics_file(dir_, sample_canary_metrics(1));
    const auto stale = [&](const std::string& name, std::chrono::minutes age) {
        std::ofstream(dir_ / name) << "tlsprobe_last_run_healthy{scenario=\"canary\"";   // cut mid-line
        fs::last_write_time(dir_ / name, fs::file_time_type::clock::now() - age);
    };
    stale(".tlsprobe_canary.prom.k1lLed", std::chrono::minutes(90));
    stale(".tlsprobe_canary.prom.r3cEnt", std::chrono::minutes(1));
    write_metrics_file(dir_, sample_canary_metrics(2));
    EXPECT_EQ(read_text(dir_ / "tlsprobe_canary.prom"), metrics_text(sample_canary_metrics(2)));
    // The one older than an hour is gone; a recent one may be a live writer's.
    EXPECT_EQ(entries(), (std::set<std::string>{".tlsprobe_canary.prom.r3cEnt", "tlsprobe_canary.prom"}));
}

}  // namespace
}  // namespace tlsprobe::reports
