// SIGINT, SIGTERM and SIGKILL at random moments of a `run --capture` with two
// capture agents, of a `hunt` and of a `canary`, 21 tries each (seeded):
// whatever the moment, probes.jsonl holds valid records up to its last
// complete line, the summary says interrupted (after SIGINT/SIGTERM), a
// killed run is still analysed from what it left (pcaps included), pcaps
// open in tshark, no capture agent outlives its run, and the canary's
// metrics file and history are either untouched or complete.
#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "child_process.hpp"
#include "prober/probe_record.hpp"
#include "root_guard.hpp"
#include "serve_process.hpp"

namespace tlsprobe::testing {
namespace {

namespace fs = std::filesystem;

constexpr int tries_per_command = 21;

struct Try {
    int signal = SIGINT;
    std::chrono::milliseconds delay{0};
};

// SIGINT, SIGTERM, SIGKILL in turn, each after a seeded random delay that
// falls mostly inside the command's run and sometimes after its end.
std::vector<Try> tries(std::uint64_t seed, int max_delay_ms)
{
    std::mt19937_64 random(seed);
    std::uniform_int_distribution<int> delay(0, max_delay_ms);
    std::vector<Try> out;
    const int signals[] = {SIGINT, SIGTERM, SIGKILL};
    for (int i = 0; i < tries_per_command; ++i) {
        out.push_back({signals[i % 3], std::chrono::milliseconds(delay(random))});
    }
    return out;
}

std::string describe(const Try& t, int index)
{
    return "try " + std::to_string(index) + ": " + ::strsignal(t.signal) + " after " +
           std::to_string(t.delay.count()) + " ms";
}

// Runs `argv`, signals it after the try's delay, and returns its exit status.
int signalled_exit(const std::vector<std::string>& argv, const Try& t)
{
    ChildProcess process(argv);
    std::this_thread::sleep_for(t.delay);
    process.send_signal(t.signal);
    return process.wait(std::chrono::seconds(60));
}

// What the signal may leave as exit status: 130 for an orderly stop, 137 for
// a kill, or the command's own verdict (0, 1, 4) when it ended first. A
// SIGINT/SIGTERM that comes while the command still reads its flags, before
// it has created anything, ends it as the signal's default does (128 + n).
void expect_exit(int status, const Try& t, bool created_anything, const std::string& where)
{
    const bool ended_first = status == 0 || status == 1 || status == 4;
    const bool stopped_in_order = t.signal != SIGKILL && status == 130;
    const bool killed = status == 128 + t.signal && (t.signal == SIGKILL || !created_anything);
    EXPECT_TRUE(ended_first || stopped_in_order || killed)
        << where << ": exit " << status << (created_anything ? " after it created its directory" : "");
}

// Every complete line of probes.jsonl is a valid record; only a kill may
// leave a cut last line. Returns the number of complete records.
std::size_t expect_valid_probes(const fs::path& file, const Try& t, const std::string& where)
{
    if (!fs::exists(file)) {
        return 0;
    }
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    const auto all = text.str();
    std::size_t records = 0;
    std::size_t start = 0;
    for (auto end = all.find('\n'); end != std::string::npos; end = all.find('\n', start)) {
        const auto line = all.substr(start, end - start);
        EXPECT_NO_THROW((void)prober::probe_record_from_json(boost::json::parse(line).as_object()))
            << where << ": line " << records + 1 << ": " << line;
        ++records;
        start = end + 1;
    }
    if (start != all.size()) {
        EXPECT_EQ(t.signal, SIGKILL) << where << ": only a kill may cut the last line";
    }
    return records;
}

// After SIGINT/SIGTERM (or an end before the signal) the summary exists and
// says whether the run was interrupted.
void expect_summary(const fs::path& dir, int status, const Try& t, const std::string& where)
{
    if (status == 128 + t.signal) {
        return;
    }
    std::ifstream in(dir / "summary.json");
    std::ostringstream text;
    text << in.rdbuf();
    ASSERT_FALSE(text.str().empty()) << where << ": no summary.json";
    const auto summary = boost::json::parse(text.str()).as_object();
    EXPECT_EQ(summary.at("interrupted").as_bool(), status == 130) << where;
}

// Processes whose command line names `dir`: the run's capture agents.
std::vector<std::string> processes_naming(const fs::path& dir)
{
    std::vector<std::string> found;
    for (const auto& entry : fs::directory_iterator("/proc")) {
        const auto name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos || std::stoi(name) == ::getpid()) {
            continue;
        }
        std::ifstream in(entry.path() / "cmdline", std::ios::binary);
        std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (cmdline.find(dir.string()) != std::string::npos) {
            std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
            found.push_back(name + ": " + cmdline);
        }
    }
    return found;
}

void expect_no_agent_left(const fs::path& dir, const std::string& where)
{
    // A killed run's agents see their output pipe close at their next
    // write and stop; give them a few seconds.
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!processes_naming(dir).empty() && std::chrono::steady_clock::now() < give_up) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    const auto left = processes_naming(dir);
    EXPECT_TRUE(left.empty()) << where << ": still running: " << left.front();
}

void expect_pcap_opens(const fs::path& pcap, const Try& t, const std::string& where)
{
    if (!fs::exists(pcap)) {
        return;
    }
    const auto read = run_command({"tshark", "-r", pcap.string(), "-q"}, std::chrono::seconds(60));
    // tshark reads every whole packet of a file cut by a kill, and says so.
    const bool cut = t.signal == SIGKILL && read.err.find("cut short") != std::string::npos;
    EXPECT_TRUE(read.exit_code == 0 || cut) << where << ": " << pcap << ": " << read.err;
}

TEST(InterruptLoop, RunWithTwoCaptureAgents)
{
    TLSPROBE_REQUIRE_ROOT();
    const Server server("normal");
    TempDir scratch;
    const auto all = tries(0x5eed, 1500);
    for (int i = 0; i < static_cast<int>(all.size()); ++i) {
        const auto& t = all[static_cast<std::size_t>(i)];
        const auto where = describe(t, i);
        const auto dir = scratch.path() / ("run-" + std::to_string(i));
        const auto status = signalled_exit({tlsprobe_binary(), "run", "--target", server.target(), "--ca-file",
                                            server.ca_file(), "--ports", "43000-43399", "--count", "400", "--rate",
                                            "400", "--capture", "client=lo", "--capture", "server=lo",
                                            "--capture-linger", "0.5", "--out", dir.string()},
                                           t);
        expect_exit(status, t, fs::exists(dir), where);
        const auto records = expect_valid_probes(dir / "probes.jsonl", t, where);
        expect_summary(dir, status, t, where);
        expect_no_agent_left(dir, where);
        expect_pcap_opens(dir / "client.pcap", t, where);
        expect_pcap_opens(dir / "server.pcap", t, where);
        if (status == 128 + SIGKILL && records != 0 && fs::exists(dir / "client.pcap")) {
            // What a killed run left is analysed, pcaps standing in for the flows files its agents never finished.
            const auto analysed = run_command({tlsprobe_binary(), "analyze", dir.string(), "--out",
                                               (dir / "analysis").string()});
            EXPECT_TRUE(analysed.exit_code == 0 || analysed.exit_code == 1 || analysed.exit_code == 4)
                << where << ": analyze exit " << analysed.exit_code << ": " << analysed.err;
        }
    }
}

TEST(InterruptLoop, Hunt)
{
    const Server server("normal");
    TempDir scratch;
    const auto all = tries(0xb00c, 1200);
    for (int i = 0; i < static_cast<int>(all.size()); ++i) {
        const auto& t = all[static_cast<std::size_t>(i)];
        const auto where = describe(t, i);
        const auto dir = scratch.path() / ("hunt-" + std::to_string(i));
        const auto status = signalled_exit({tlsprobe_binary(), "hunt", "--target", server.target(), "--ca-file",
                                            server.ca_file(), "--source-ip", "127.0.0.1", "--ports", "44000-44999",
                                            "--budget", "300", "--rate", "400", "--repeat-gap", "0.1", "--out",
                                            dir.string()},
                                           t);
        expect_exit(status, t, fs::exists(dir), where);
        expect_valid_probes(dir / "probes.jsonl", t, where);
        expect_summary(dir, status, t, where);
    }
}

TEST(InterruptLoop, CanaryKeepsItsMetricsAndHistoryWhole)
{
    const Server server("normal");
    TempDir scratch;
    const auto scenario = scratch.path() / "loop.toml";
    std::ofstream(scenario) << "name = \"loop\"\n[probe]\ntarget = \"" << server.target()
                            << "\"\nports = \"45000-45299\"\ncount = 300\nrate = 400.0\nmax_seconds = 30.0\n"
                               "[tls]\ninsecure = true\n[thresholds]\nmin_probes = 20\n";
    const auto state = scratch.path() / "state";
    const auto metrics = scratch.path() / "metrics";
    const auto history = scratch.path() / "history.sqlite";
    fs::create_directories(metrics);
    const auto runs = state / "runs" / "loop";
    const auto run_count = [&runs] {
        return fs::exists(runs) ? std::distance(fs::directory_iterator(runs), fs::directory_iterator{}) : 0;
    };
    const auto all = tries(0xca9a, 1000);
    for (int i = 0; i < static_cast<int>(all.size()); ++i) {
        const auto& t = all[static_cast<std::size_t>(i)];
        const auto where = describe(t, i);
        const auto runs_before = run_count();
        const auto status = signalled_exit({tlsprobe_binary(), "canary", scenario.string(), "--state-dir",
                                            state.string(), "--metrics-dir", metrics.string(), "--history",
                                            history.string()},
                                           t);
        expect_exit(status, t, run_count() != runs_before, where);
        const auto prom = metrics / "tlsprobe_loop.prom";
        if (fs::exists(prom)) {
            std::ifstream in(prom);
            std::ostringstream text;
            text << in.rdbuf();
            EXPECT_NE(text.str().find("tlsprobe_last_run_exit_code{scenario=\"loop\""), std::string::npos)
                << where << ": the metrics file is not whole";
        }
        if (fs::exists(history)) {
            const auto shown = run_command({tlsprobe_binary(), "history", "--history", history.string(), "--json"});
            EXPECT_TRUE(shown.exit_code == 0 || shown.exit_code == 4) << where << ": " << shown.err;
        }
        for (const auto& run : fs::exists(runs) ? fs::directory_iterator(runs) : fs::directory_iterator{}) {
            expect_valid_probes(run.path() / "probes.jsonl", t, where);
        }
    }
}

}  // namespace
}  // namespace tlsprobe::testing
