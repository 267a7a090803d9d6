// Appends cut by SIGKILL: a child appends runs in a loop and is killed at
// random moments, again and again, on one database. Afterwards SQLite's
// integrity_check passes, every run whose append() returned before the kill
// is there whole, and no run is there in part.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>

#include "child_process.hpp"
#include "history_fixture.hpp"
#include "results/history_store.hpp"
#include "results/sqlite_database.hpp"

namespace tlsprobe::testing {
namespace {

// Everything numbered_run(sequence) holds, as stored.
void expect_whole(const results::StoredRun& stored, std::uint64_t sequence)
{
    const auto expected = numbered_run(sequence);
    EXPECT_EQ(stored.run.started_utc, expected.started_utc) << "run " << stored.id;
    EXPECT_EQ(stored.run.probes, expected.probes) << "run " << stored.id;
    EXPECT_EQ(stored.run.outcomes, expected.outcomes) << "run " << stored.id;
    ASSERT_EQ(stored.run.buckets.size(), expected.buckets.size()) << "run " << stored.id;
    for (std::size_t i = 0; i < expected.buckets.size(); ++i) {
        EXPECT_EQ(stored.run.buckets[i].bucket, expected.buckets[i].bucket) << "run " << stored.id;
        EXPECT_EQ(stored.run.buckets[i].probes, expected.buckets[i].probes) << "run " << stored.id;
        EXPECT_EQ(stored.run.buckets[i].failures, expected.buckets[i].failures) << "run " << stored.id;
        EXPECT_EQ(stored.run.buckets[i].faulty, expected.buckets[i].faulty) << "run " << stored.id;
    }
}

TEST(HistoryKill, RunsWhoseAppendReturnedSurviveSigkillWhole)
{
    TempDir dir;
    const auto file = dir.path() / "history.sqlite";
    std::mt19937_64 random(20261202);
    constexpr int rounds = 30;
    std::map<std::int64_t, std::uint64_t> acknowledged;   // run id -> sequence, printed before the kill
    for (int round = 0; round < rounds; ++round) {
        ChildProcess child({HISTORY_APPEND_LOOP, file.string(), std::to_string(round * 1'000'000)});
        // 0: killed while it opens (and, the first time, creates) the database.
        const auto appends = std::uniform_int_distribution<int>(0, 40)(random);
        const auto acknowledge = [&](const std::string& line) {
            std::istringstream fields(line);
            std::int64_t id = 0;
            std::uint64_t sequence = 0;
            ASSERT_TRUE(fields >> id >> sequence) << line;
            acknowledged[id] = sequence;
        };
        for (int i = 0; i < appends; ++i) {
            const auto line = child.read_line(std::chrono::seconds(60));
            ASSERT_TRUE(line) << "round " << round << ": the child stopped after " << i << " appends";
            acknowledge(*line);
        }
        // A moment anywhere in the next append (one takes about a millisecond
        // here: inserts, WAL write, fsync), not only at its start.
        std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, 3000)(random)));
        child.send_signal(SIGKILL);
        // What it printed before it died, up to the end of the pipe: those appends returned too.
        while (const auto line = child.read_line(std::chrono::seconds(60))) {
            acknowledge(*line);
        }
        EXPECT_EQ(child.wait(), 128 + SIGKILL);
    }
    ASSERT_FALSE(acknowledged.empty());

    {
        auto db = results::sqlite::Connection::open(file, results::sqlite::Access::read_write,
                                                    std::chrono::milliseconds(1000));
        auto check = db.prepare("PRAGMA integrity_check");
        ASSERT_TRUE(check.step());
        EXPECT_EQ(check.text(0), "ok");
    }
    auto store = results::HistoryStore::open(file);
    for (const auto& [id, sequence] : acknowledged) {
        const auto stored = store.run(id);
        ASSERT_TRUE(stored) << "run " << id << " (sequence " << sequence << ") was acknowledged but is gone";
        EXPECT_EQ(stored->run.run_dir, "loop/" + std::to_string(sequence));
        expect_whole(*stored, sequence);
    }
    // Every stored run is whole, acknowledged or not (at most one per round
    // was committed and not yet printed when the kill came).
    const auto all = store.recent(std::nullopt, 1'000'000);
    EXPECT_GE(all.size(), acknowledged.size());
    EXPECT_LE(all.size(), acknowledged.size() + rounds);
    for (const auto& stored : all) {
        const auto sequence = std::stoull(stored.run.run_dir.substr(std::string("loop/").size()));
        expect_whole(stored, sequence);
    }
    RecordProperty("acknowledged", static_cast<int>(acknowledged.size()));
    RecordProperty("stored", static_cast<int>(all.size()));
    // And the database takes appends again.
    const auto id = store.append(numbered_run(99'000'000));
    expect_whole(*store.run(id), 99'000'000);
}

}  // namespace
}  // namespace tlsprobe::testing
