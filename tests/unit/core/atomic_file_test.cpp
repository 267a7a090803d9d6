#include "core/atomic_file.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/errors.hpp"

namespace tlsprobe::core {
namespace {

namespace fs = std::filesystem;

class AtomicFile : public ::testing::Test {
protected:
    void SetUp() override
    {
        std::string pattern = (fs::temp_directory_path() / "tlsprobe-atomic-XXXXXX").string();
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        dir_ = pattern;
    }
    void TearDown() override { fs::remove_all(dir_); }

    [[nodiscard]] std::vector<std::string> entries() const
    {
        std::vector<std::string> names;
        for (const auto& entry : fs::directory_iterator(dir_)) {
            names.push_back(entry.path().filename().string());
        }
        return names;
    }

    fs::path dir_;
};

std::string contents(const fs::path& path)
{
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

TEST_F(AtomicFile, ReplacesTheFileAndLeavesNothingElse)
{
    const auto target = dir_ / "summary.json";
    write_file_atomically(target, "old\n");
    write_file_atomically(target, "new\n");
    EXPECT_EQ(contents(target), "new\n");
    EXPECT_EQ(entries(), std::vector<std::string>{"summary.json"});
    struct stat info {};
    ASSERT_EQ(::stat(target.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0644U);
}

// The writer is killed (SIGKILL) in the middle of writing the new text: the
// file size limit stops its write after 4 KiB and the SIGXFSZ handler turns
// that into a SIGKILL, so the kill lands there every time.
TEST_F(AtomicFile, ACrashBeforeTheRenameLeavesTheOldFileWhole)
{
    const auto target = dir_ / "summary.json";
    write_file_atomically(target, "old contents\n");

    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        const rlimit limit{4096, 4096};
        ::setrlimit(RLIMIT_FSIZE, &limit);
        ::signal(SIGXFSZ, [](int) { ::kill(::getpid(), SIGKILL); });
        try {
            write_file_atomically(target, std::string(1 << 20, 'n'));
        } catch (...) {
            ::_exit(2);
        }
        ::_exit(1);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status));
    EXPECT_EQ(WTERMSIG(status), SIGKILL);

    EXPECT_EQ(contents(target), "old contents\n");
    // The half-written temporary is left behind under a name of its own.
    const auto names = entries();
    ASSERT_EQ(names.size(), 2U);
    for (const auto& name : names) {
        if (name != "summary.json") {
            EXPECT_TRUE(name.starts_with(".summary.json.")) << name;
            EXPECT_EQ(fs::file_size(dir_ / name), 4096U);
        }
    }
}

TEST_F(AtomicFile, NamesTheFileWhenTheDirectoryIsMissing)
{
    const auto target = dir_ / "missing" / "summary.json";
    try {
        write_file_atomically(target, "text");
        FAIL() << "wrote into a missing directory";
    } catch (const EnvironmentError& error) {
        EXPECT_NE(std::string(error.what()).find(target.string()), std::string::npos) << error.what();
    }
}

TEST_F(AtomicFile, StaleTemporariesOfKilledWritersAreRemovedFreshOnesAndOthersKept)
{
    const auto target = dir_ / "tlsprobe_canary.prom";
    write_file_atomically(target, "current\n");
    const auto touch = [&](const std::string& name, std::chrono::hours age) {
        std::ofstream(dir_ / name) << "half";
        fs::last_write_time(dir_ / name, fs::file_time_type::clock::now() - age);
    };
    touch(".tlsprobe_canary.prom.aB3xYz", std::chrono::hours(2));   // a killed writer's, old
    touch(".tlsprobe_canary.prom.Qw9eRt", std::chrono::hours(0));   // maybe a live writer's
    touch(".tlsprobe_other.prom.aB3xYz", std::chrono::hours(2));    // another file's
    touch("tlsprobe_canary.prom.bak", std::chrono::hours(2));       // not a temporary's name

    EXPECT_EQ(remove_stale_temporaries(target, std::chrono::hours(1)), 1U);
    auto names = entries();
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{".tlsprobe_canary.prom.Qw9eRt", ".tlsprobe_other.prom.aB3xYz",
                                               "tlsprobe_canary.prom", "tlsprobe_canary.prom.bak"}));
    EXPECT_EQ(contents(target), "current\n");
    EXPECT_EQ(remove_stale_temporaries(dir_ / "missing" / "x.prom", std::chrono::hours(1)), 0U);
}

}  // namespace
}  // namespace tlsprobe::core
