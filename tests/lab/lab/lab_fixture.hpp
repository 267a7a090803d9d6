#pragma once
// What every lab test shares: bringing the lab up and down around a test,
// running the prober in the client namespace, and the lab's ground truth
// for each probe (`lab status --json --tuples probes.jsonl`). Needs root.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "lab/process.hpp"
#include "root_guard.hpp"

namespace tlsprobe::lab {

namespace fs = std::filesystem;
using Args = std::vector<std::string>;

inline constexpr const char* tlsprobe = TLSPROBE_BINARY;
// Short enough to keep the suite quick, long enough for a 1 s SYN
// retransmission under background loss to still count as slowed, not lost.
inline constexpr const char* handshake_timeout = "2";

inline ProcessResult tool(Args args)
{
    args.insert(args.begin(), tlsprobe);
    return run_process(args);
}

// What a lab leaves on the machine: its namespaces, and anything of its
// in the root namespace (it creates nothing there; this proves it).
inline std::vector<std::string> lab_leftovers()
{
    std::vector<std::string> found;
    const auto netns = run_process(Args{"ip", "netns", "list"});
    std::istringstream lines(netns.out);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.starts_with("tlsp-")) {
            found.push_back("namespace " + line);
        }
    }
    const auto veths = run_process(Args{"ip", "-o", "link", "show", "type", "veth"});
    for (const auto* name : {" up0@", " down0@", " lan0@", " sw0@"}) {
        if (veths.out.find(name) != std::string::npos) {
            found.push_back(fmt::format("veth{}in the root namespace", name));
        }
    }
    const auto tables = run_process(Args{"nft", "list", "tables"});
    if (tables.out.find("tlsp_") != std::string::npos) {
        found.push_back("nft table tlsp_* in the root namespace");
    }
    if (fs::exists("/run/tlsprobe-lab")) {
        found.push_back("state directory /run/tlsprobe-lab");
    }
    return found;
}

// Brings the lab up for one test and always takes it down again, whether
// the test passes, fails or throws.
class LabGuard {
public:
    explicit LabGuard(Args up_args)
    {
        up_args.insert(up_args.begin(), {"lab", "up"});
        const auto up = tool(up_args);
        up_ok_ = up.status == 0;
        EXPECT_TRUE(up_ok_) << "lab up failed: " << up.err;
    }
    LabGuard(const LabGuard&) = delete;
    LabGuard& operator=(const LabGuard&) = delete;
    ~LabGuard()
    {
        const auto down = tool({"lab", "down"});
        EXPECT_EQ(down.status, 0) << down.err;
    }
    [[nodiscard]] bool up() const { return up_ok_; }

private:
    bool up_ok_ = false;
};

class LabTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        TLSPROBE_REQUIRE_ROOT();
        ASSERT_TRUE(lab_leftovers().empty()) << "a lab is already up; run `tlsprobe lab down`";
        run_dir_ = fs::temp_directory_path() / fmt::format("tlsprobe-lab-test-{}", ::getpid());
        fs::remove_all(run_dir_);
    }

    void TearDown() override
    {
        if (::geteuid() != 0) {
            return;
        }
        const auto left = lab_leftovers();
        EXPECT_TRUE(left.empty()) << "left behind: " << fmt::format("{}", fmt::join(left, ", "));
        fs::remove_all(run_dir_);
    }

    struct Probe {
        boost::json::object record;
        boost::json::object truth;
    };

    // Runs the prober in the client namespace and joins every probe with
    // the lab's ground truth for its tuple.
    std::vector<Probe> probe(int first_port, int count, Args extra = {})
    {
        Args run{"ip", "netns", "exec", "tlsp-client", tlsprobe, "run", "--target", "198.18.100.10:443",
                 "--source-ip", "198.18.1.2", "--ports", fmt::format("{}-{}", first_port, first_port + count - 1),
                 "--count", std::to_string(count), "--concurrency", "200", "--rate", "200", "--handshake-timeout", handshake_timeout,
                 "--insecure", "--out", run_dir_.string()};
        run.insert(run.end(), extra.begin(), extra.end());
        const auto result = run_process(run);
        EXPECT_TRUE(result.status == 0 || result.status == 1) << result.err;
        const auto probes_file = run_dir_ / "probes.jsonl";
        const auto status = tool({"lab", "status", "--json", "--tuples", probes_file.string()});
        EXPECT_EQ(status.status, 0) << status.err;
        status_ = boost::json::parse(status.out).as_object();
        const auto& truth = status_.at("ground_truth").as_object();
        const auto& check = truth.at("check").as_object();
        // The hash model and the switch's own per-bucket flow sets agree on every tuple the switch saw.
        EXPECT_EQ(check.at("disagree").as_int64(), 0);
        EXPECT_EQ(check.at("agree"), check.at("seen_by_switch"));

        std::map<std::int64_t, boost::json::object> by_id;
        for (const auto& entry : truth.at("tuples").as_array()) {
            by_id[entry.at("probe_id").as_int64()] = entry.as_object();
        }
        std::vector<Probe> out;
        std::ifstream in(probes_file);
        std::string line;
        while (std::getline(in, line)) {
            auto record = boost::json::parse(line).as_object();
            const auto id = record.at("probe_id").as_int64();
            out.push_back({std::move(record), by_id[id]});
        }
        EXPECT_EQ(out.size(), static_cast<std::size_t>(count));
        return out;
    }

    [[nodiscard]] const boost::json::object& status() const { return status_; }

    fs::path run_dir_;
    boost::json::object status_;
};

inline std::string outcome(const boost::json::object& record)
{
    return std::string(record.at("outcome").as_string());
}

inline std::string fate(const boost::json::object& truth)
{
    return truth.contains("fate") ? std::string(truth.at("fate").as_string()) : "missing";
}

inline std::string describe(const boost::json::object& record, const boost::json::object& truth)
{
    return fmt::format("port {} bucket {} fate {} outcome {}", boost::json::serialize(record.at("src_port")),
                       truth.contains("bucket") ? boost::json::serialize(truth.at("bucket")) : "?", fate(truth),
                       outcome(record));
}

}  // namespace tlsprobe::lab
