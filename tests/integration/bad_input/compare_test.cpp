// `tlsprobe compare BEFORE_DIR AFTER_DIR` on run directories written here by
// hand (probes.jsonl, summary.json with a plan and a scenario): the verdict,
// the exit code, compare.json, the refusals, and what is never written.
#include <gtest/gtest.h>

#include <boost/asio/ip/address.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <fstream>
#include <functional>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "prober/probe_record.hpp"
#include "results/hash_model.hpp"
#include "scenarios/run_plan.hpp"
#include "scenarios/thresholds.hpp"

namespace tlsprobe::testing {
namespace {

namespace json = boost::json;

const std::string scenario_hash(64, 'a');

// What a crafted run holds.
struct RunSpec {
    std::string target = "198.18.100.10:443";
    std::uint16_t port_high = 29999;
    std::string sha256 = scenario_hash;
    std::string hash_model{};
    std::uint64_t ok = 4000;
    std::uint64_t failed = 0;
    prober::Outcome failure = prober::Outcome::handshake_timeout;
    // Connect time of each ok probe in ns; the default is 10 ms flat.
    std::function<std::int64_t()> connect_ns = [] { return std::int64_t{10'000'000}; };
    // Failed probes: whether the probe on this source port fails (overrides `failed`).
    std::function<bool(std::uint16_t)> fails_on_port{};
    std::string label = "netops";
};

std::string read_text(const std::filesystem::path& path)
{
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_text(const std::filesystem::path& path, const std::string& text)
{
    std::ofstream(path) << text;
}

std::filesystem::path write_run(const std::filesystem::path& dir, const RunSpec& spec)
{
    std::filesystem::create_directories(dir);
    std::string lines;
    std::uint64_t probes = 0;
    const std::uint64_t total = spec.ok + spec.failed;
    for (std::uint64_t i = 0; i < total; ++i) {
        prober::ProbeRecord record;
        record.probe_id = i;
        record.src_ip = "198.18.1.2";
        record.src_port = static_cast<std::uint16_t>(20000 + i % 10000);
        record.attempt = static_cast<std::uint32_t>(1 + i / 10000);
        record.dst_ip = "198.18.100.10";
        record.dst_port = 443;
        const bool failed = spec.fails_on_port ? spec.fails_on_port(record.src_port) : i < spec.failed;
        record.outcome = failed ? spec.failure : prober::Outcome::ok;
        record.t.connect_start = static_cast<std::int64_t>(i) * 1'000'000;
        if (!failed) {
            record.t.established = *record.t.connect_start + spec.connect_ns();
            record.t.closed = *record.t.established + 1'000'000;
        }
        lines += json::serialize(prober::to_json(record)) + "\n";
        ++probes;
    }
    write_text(dir / "probes.jsonl", lines);

    scenarios::RunPlan plan;
    plan.target = scenarios::parse_endpoint(spec.target, "target");
    plan.port_range = {20000, spec.port_high};
    plan.count = total;
    json::object scenario{{"name", "prepost"},
                          {"sha256", spec.sha256},
                          {"thresholds", scenarios::thresholds_json({})},
                          {"background_loss", 0.01},
                          {"labels", {{"team", spec.label}}}};
    if (!spec.hash_model.empty()) {
        scenario["hash_model"] = spec.hash_model;
    }
    const json::object summary{{"target", spec.target},
                               {"probes", probes},
                               {"interrupted", false},
                               {"plan", scenarios::plan_json(plan)},
                               {"scenario", std::move(scenario)}};
    write_text(dir / "summary.json", json::serialize(summary) + "\n");
    return dir;
}

// Connect times normal around `mean_ns`, drawn from `random`.
std::function<std::int64_t()> normal_connect(std::mt19937_64& random, double mean_ns, double spread_ns)
{
    return [&random, mean_ns, spread_ns] {
        return static_cast<std::int64_t>(std::normal_distribution<double>(mean_ns, spread_ns)(random));
    };
}

CommandResult compare(const std::filesystem::path& before, const std::filesystem::path& after,
                      std::vector<std::string> extra = {})
{
    std::vector<std::string> argv{tlsprobe_binary(), "compare", before.string(), after.string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run_command(argv);
}

json::object compare_json(const std::filesystem::path& dir)
{
    return json::parse(read_text(dir / "compare.json")).as_object();
}

bool starts_with(const std::string& text, std::string_view prefix)
{
    return text.rfind(prefix, 0) == 0;
}

TEST(Compare, FewerFailuresAfterIsImprovedWithExitZero)
{
    TempDir dir;
    const auto before = write_run(dir.path() / "before", {.ok = 3600, .failed = 400});
    const auto after = write_run(dir.path() / "after", {.ok = 3990, .failed = 10, .label = "sre"});
    const auto result = compare(before, after);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_TRUE(starts_with(result.out, "improved: failed rate 10.0% -> 0.25% (p ")) << result.out;
    EXPECT_NE(result.out.find("labels (after): team=sre"), std::string::npos) << result.out;
    const auto report = compare_json(after);
    EXPECT_EQ(report.at("verdict").as_string(), "improved");
    EXPECT_EQ(report.at("forced").as_bool(), false);
    EXPECT_EQ(report.at("labels").at("team").as_string(), "sre");
    EXPECT_EQ(report.at("before").at("judged").as_int64(), 4000);
    EXPECT_EQ(report.at("after").at("sha256").as_string(), scenario_hash);
    EXPECT_FALSE(std::filesystem::exists(before / "compare.json"));
}

TEST(Compare, TheSameRateAtEnoughProbesIsUnchanged)
{
    TempDir dir;
    const auto before = write_run(dir.path() / "before", {.ok = 3980, .failed = 20});
    const auto after = write_run(dir.path() / "after", {.ok = 3978, .failed = 22});
    const auto result = compare(before, after);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_TRUE(starts_with(result.out, "unchanged: ")) << result.out;
    EXPECT_TRUE(compare_json(after).at("power").at("adequate").as_bool());
}

TEST(Compare, AJumpInFailuresIsRegressedWithExitOne)
{
    TempDir dir;
    const auto before = write_run(dir.path() / "before", {.ok = 4000, .failed = 0});
    const auto after = write_run(dir.path() / "after", {.ok = 3500, .failed = 500});
    const auto result = compare(before, after);
    EXPECT_EQ(result.exit_code, 1) << result.err;
    EXPECT_TRUE(starts_with(result.out, "regressed: failed rate 0.0% -> 12.5% (p ")) << result.out;
    EXPECT_NE(result.out.find("handshake_timeout"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("Findings:"), std::string::npos) << result.out;
    EXPECT_EQ(compare_json(after).at("verdict").as_string(), "regressed");
}

TEST(Compare, SmallRunsAreInconclusiveWithTheProbesNeeded)
{
    TempDir dir;
    const auto before = write_run(dir.path() / "before", {.ok = 200, .failed = 0});
    const auto after = write_run(dir.path() / "after", {.ok = 199, .failed = 1});
    const auto result = compare(before, after);
    EXPECT_EQ(result.exit_code, 4) << result.err;
    EXPECT_TRUE(starts_with(result.out, "inconclusive: too few probes")) << result.out;
    const auto needed = compare_json(after).at("power").at("needed").as_int64();
    EXPECT_GT(needed, 200);
    EXPECT_NE(result.out.find(std::to_string(needed) + " judged probes"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("failure rate is below 1.49%"), std::string::npos) << result.out;
}

TEST(Compare, RunsOfDifferentTargetsAreRefusedWithEachDifferenceAndNothingWritten)
{
    TempDir dir;
    const auto before = write_run(dir.path() / "before", {});
    const auto after = write_run(dir.path() / "after",
                                 {.target = "198.18.100.11:443", .port_high = 20999, .sha256 = std::string(64, 'b')});
    const auto out = dir.path() / "elsewhere";
    const auto result = compare(before, after, {"--out", out.string()});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_TRUE(result.out.empty()) << result.out;
    EXPECT_NE(result.err.find("target: 198.18.100.10:443 vs 198.18.100.11:443"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("ports.high: 29999 vs 20999"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("scenario.sha256: " + scenario_hash + " vs " + std::string(64, 'b')),
              std::string::npos)
        << result.err;
    EXPECT_NE(result.err.find("--force"), std::string::npos) << result.err;
    EXPECT_FALSE(std::filesystem::exists(before / "compare.json"));
    EXPECT_FALSE(std::filesystem::exists(after / "compare.json"));
    EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(Compare, ForceComparesAnywayAndSaysSo)
{
    TempDir dir;
    const auto before = write_run(dir.path() / "before", {});
    const auto after = write_run(dir.path() / "after", {.target = "198.18.100.11:443"});
    const auto out = dir.path() / "reports" / "one";
    const auto result = compare(before, after, {"--force", "--out", out.string()});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.out.find("forced: the runs do not measure the same thing"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("target: 198.18.100.10:443 vs 198.18.100.11:443"), std::string::npos) << result.out;
    const auto report = compare_json(out);
    EXPECT_TRUE(report.at("forced").as_bool());
    ASSERT_EQ(report.at("differences").as_array().size(), 1U);
    EXPECT_EQ(report.at("differences").as_array()[0].as_string(), "target: 198.18.100.10:443 vs 198.18.100.11:443");
    EXPECT_FALSE(std::filesystem::exists(after / "compare.json"));
}

TEST(Compare, ASignificantButTinyLatencyShiftIsUnchanged)
{
    TempDir dir;
    std::mt19937_64 random(1);
    const auto before = write_run(dir.path() / "before", {.connect_ns = normal_connect(random, 10'000'000, 20'000)});
    // 0.1 ms slower, against a tolerance of max(20% of 10 ms, 2 ms) = 2 ms.
    const auto after = write_run(dir.path() / "after", {.connect_ns = normal_connect(random, 10'100'000, 20'000)});
    const auto result = compare(before, after);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_TRUE(starts_with(result.out, "unchanged: ")) << result.out;
    EXPECT_NE(result.out.find("connect shifted by +0."), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("within the tolerance of 2.000 ms: not a change"), std::string::npos) << result.out;
    const auto report = compare_json(after);
    const auto& connect = report.at("latency").as_array()[0].as_object();
    EXPECT_EQ(connect.at("phase").as_string(), "connect");
    EXPECT_TRUE(connect.at("significant").as_bool());
    EXPECT_NEAR(connect.at("shift_ns").to_number<double>(), 100'000.0, 3'000.0);
    EXPECT_EQ(connect.at("change").as_string(), "none");
}

TEST(Compare, ALargeLatencyShiftIsRegressed)
{
    TempDir dir;
    std::mt19937_64 random(2);
    const auto before = write_run(dir.path() / "before", {.connect_ns = normal_connect(random, 10'000'000, 500'000)});
    const auto after = write_run(dir.path() / "after", {.connect_ns = normal_connect(random, 15'000'000, 500'000)});
    const auto result = compare(before, after);
    EXPECT_EQ(result.exit_code, 1) << result.err;
    EXPECT_TRUE(starts_with(result.out, "regressed: connect median ")) << result.out;
    EXPECT_NE(result.out.find("connect got slower"), std::string::npos) << result.out;
}

TEST(Compare, TheBucketThatGotWorseIsNamed)
{
    TempDir dir;
    const std::string spec = "jhash:seed=0x5eed,mod=8";
    const auto model = results::parse_hash_model(spec);
    const auto bucket_5 = [&](std::uint16_t port) {
        return model->bucket({.src = boost::asio::ip::make_address("198.18.1.2"),
                              .src_port = port,
                              .dst = boost::asio::ip::make_address("198.18.100.10"),
                              .dst_port = 443}) == 5;
    };
    const auto before = write_run(dir.path() / "before", {.hash_model = spec, .ok = 2000});
    const auto after = write_run(dir.path() / "after", {.hash_model = spec, .ok = 2000, .fails_on_port = bucket_5});
    const auto result = compare(before, after);
    EXPECT_EQ(result.exit_code, 1) << result.err;
    EXPECT_NE(result.out.find("one bucket got worse: bucket 5 failed 0 of"), std::string::npos) << result.out;
    const auto report = compare_json(after);
    EXPECT_EQ(report.at("bucket_model").as_string(), model->describe());
    for (const auto& row : report.at("buckets").as_array()) {
        EXPECT_EQ(row.at("change").as_string(), row.at("name").as_string() == "5" ? "worse" : "none");
    }
}

// Each bad run directory: exit 2, a message naming the file, nothing written anywhere.
struct BadRun {
    std::string name;
    std::function<void(const std::filesystem::path&)> damage;
    std::string message;   // "{dir}" is the damaged run directory
};

void PrintTo(const BadRun& bad, std::ostream* out)
{
    *out << bad.name;
}

class CompareBadInput : public ::testing::TestWithParam<BadRun> {};

TEST_P(CompareBadInput, ExitsTwoNamingTheFileAndWritesNothing)
{
    TempDir dir;
    const auto before = write_run(dir.path() / "before", {.ok = 100});
    const auto after = write_run(dir.path() / "after", {.ok = 100});
    GetParam().damage(after);
    const auto result = compare(before, after);
    EXPECT_EQ(result.exit_code, 2) << result.err;
    std::string message = GetParam().message;
    for (auto at = message.find("{dir}"); at != std::string::npos; at = message.find("{dir}", at)) {
        message.replace(at, 5, after.string());
    }
    EXPECT_NE(result.err.find(message), std::string::npos) << result.err;
    EXPECT_TRUE(result.out.empty()) << result.out;
    EXPECT_FALSE(std::filesystem::exists(before / "compare.json"));
    EXPECT_FALSE(std::filesystem::exists(after / "compare.json"));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CompareBadInput,
    ::testing::Values(
        BadRun{"NotARunDirectory",
               [](const std::filesystem::path& d) {
                   std::filesystem::remove(d / "summary.json");
                   std::filesystem::remove(d / "probes.jsonl");
               },
               "{dir}/summary.json: missing, so {dir} is not a finished run directory"},
        BadRun{"NoDirectory", [](const std::filesystem::path& d) { std::filesystem::remove_all(d); },
               "{dir}: is not a run directory (no such directory)"},
        BadRun{"CorruptSummary",
               [](const std::filesystem::path& d) { write_text(d / "summary.json", "{\"plan\": {\"target\": "); },
               "{dir}/summary.json: not JSON"},
        BadRun{"SummaryWithoutPlan", [](const std::filesystem::path& d) { write_text(d / "summary.json", "{}\n"); },
               "{dir}/summary.json: has no \"plan\" object"},
        BadRun{"ThresholdOfTheWrongType",
               [](const std::filesystem::path& d) {
                   auto summary = json::parse(read_text(d / "summary.json")).as_object();
                   summary["scenario"].as_object()["thresholds"].as_object()["alpha"] = "small";
                   write_text(d / "summary.json", json::serialize(summary));
               },
               "{dir}/summary.json: scenario.thresholds.alpha: is not a number"},
        BadRun{"CutProbes",
               [](const std::filesystem::path& d) {
                   auto text = read_text(d / "probes.jsonl");
                   write_text(d / "probes.jsonl", text.substr(0, text.size() - 40));
               },
               "{dir}/probes.jsonl:100: the last line is cut short"},
        BadRun{"ProbesMissingALine",
               [](const std::filesystem::path& d) {
                   auto text = read_text(d / "probes.jsonl");
                   text.pop_back();
                   write_text(d / "probes.jsonl", text.substr(0, text.rfind('\n') + 1));
               },
               "{dir}/probes.jsonl: holds 99 probes, but {dir}/summary.json counts 100"},
        BadRun{"CorruptProbeLine",
               [](const std::filesystem::path& d) {
                   auto text = read_text(d / "probes.jsonl");
                   write_text(d / "probes.jsonl", "{\"probe_id\": \n" + text);
               },
               "{dir}/probes.jsonl:1: not JSON"},
        BadRun{"NoProbes", [](const std::filesystem::path& d) { std::filesystem::remove(d / "probes.jsonl"); },
               "{dir}/probes.jsonl: missing"}),
    [](const ::testing::TestParamInfo<BadRun>& param) { return param.param.name; });

}  // namespace
}  // namespace tlsprobe::testing
