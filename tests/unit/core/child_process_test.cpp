#include "core/child_process.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace tlsprobe::core {
namespace {

using namespace std::chrono_literals;
using Args = std::vector<std::string>;

TEST(RunCommand, ReportsTheExitCode)
{
    const auto result = run_command(Args{"sh", "-c", "exit 3"});
    EXPECT_EQ(result.exit.how, ProcessExit::How::exited);
    EXPECT_EQ(result.exit.number, 3);
    EXPECT_EQ(result.exit.shell_status(), 3);
    EXPECT_FALSE(result.exit.succeeded());
    EXPECT_FALSE(result.timed_out);
    EXPECT_EQ(to_string(result.exit), "exit code 3");
}

TEST(RunCommand, ReportsTheSignalThatKilledIt)
{
    const auto result = run_command(Args{"sh", "-c", "kill -KILL $$"});
    EXPECT_EQ(result.exit.how, ProcessExit::How::signalled);
    EXPECT_EQ(result.exit.number, SIGKILL);
    EXPECT_EQ(result.exit.shell_status(), 128 + SIGKILL);
    EXPECT_EQ(to_string(result.exit), "signal 9 (Killed)");
}

TEST(RunCommand, TerminatesAChildPastItsDeadline)
{
    CommandOptions options;
    options.limit = 100ms;
    options.grace = 5s;
    const auto started = std::chrono::steady_clock::now();
    const auto result = run_command(Args{"sleep", "30"}, options);
    EXPECT_TRUE(result.timed_out);
    EXPECT_EQ(result.exit.how, ProcessExit::How::signalled);
    EXPECT_EQ(result.exit.number, SIGTERM);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

TEST(RunCommand, KillsAChildThatIgnoresSigtermAfterTheGrace)
{
    CommandOptions options;
    options.limit = 100ms;
    options.grace = 100ms;
    const auto result = run_command(Args{"sh", "-c", "trap '' TERM; echo armed; while :; do sleep 1; done"}, options);
    EXPECT_TRUE(result.timed_out);
    EXPECT_EQ(result.exit.number, SIGKILL);
    EXPECT_EQ(result.out, "armed\n");
}

TEST(RunCommand, FeedsTheInputAndCapturesBothStreams)
{
    CommandOptions options;
    // Larger than a pipe buffer, so writing and reading must interleave.
    const std::string input(1 << 20, 'x');
    options.input = input;
    const auto result = run_command(Args{"sh", "-c", "cat; echo done >&2"}, options);
    EXPECT_TRUE(result.exit.succeeded());
    EXPECT_EQ(result.out, input);
    EXPECT_EQ(result.err, "done\n");
}

TEST(RunCommand, GivesEndOfFileOnStdinWithoutInput)
{
    EXPECT_EQ(run_command(Args{"cat"}).out, "");
    CommandOptions options;
    options.input = "";
    EXPECT_EQ(run_command(Args{"cat"}, options).out, "");
}

TEST(RunCommand, DoesNotWaitForAGrandchildHoldingItsOutput)
{
    CommandOptions options;
    options.limit = 10s;
    const auto result = run_command(Args{"sh", "-c", "echo early; sleep 30 & exit 0"}, options);
    EXPECT_FALSE(result.timed_out);
    EXPECT_TRUE(result.exit.succeeded());
    EXPECT_EQ(result.out, "early\n");
}

TEST(RunCommand, ChildStartsWithNoSignalBlocked)
{
    sigset_t blocked;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGUSR1);
    sigset_t previous;
    pthread_sigmask(SIG_BLOCK, &blocked, &previous);
    const auto result = run_command(Args{"sh", "-c", "grep SigBlk /proc/self/status"});
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    EXPECT_EQ(result.out, "SigBlk:\t0000000000000000\n");
}

TEST(ChildProcess, NamesACommandThatCannotStart)
{
    try {
        const ChildProcess child(Args{"/nonexistent/tlsprobe-helper"}, {});
        FAIL() << "started";
    } catch (const SpawnError& error) {
        EXPECT_EQ(std::string(error.what()), "cannot run /nonexistent/tlsprobe-helper: No such file or directory");
        EXPECT_EQ(error.error_number(), ENOENT);
    }
}

TEST(ChildProcess, WaitForGivesUpAtTheLimitAndStopsOnClosedStdin)
{
    ChildOptions options;
    options.in = Input::pipe;
    options.out = Output::pipe();
    ChildProcess child(Args{"cat"}, options);
    EXPECT_FALSE(child.wait_for(50ms).has_value());
    child.close_stdin();
    const auto exit = child.wait_for(10s);
    ASSERT_TRUE(exit.has_value());
    EXPECT_TRUE(exit->succeeded());
}

TEST(ChildProcess, TerminateSendsSigterm)
{
    ChildProcess child(Args{"sleep", "30"}, {});
    const auto exit = child.terminate(10s);
    EXPECT_EQ(exit.how, ProcessExit::How::signalled);
    EXPECT_EQ(exit.number, SIGTERM);
    EXPECT_EQ(child.exit()->number, SIGTERM);
}

TEST(ChildProcess, WritesToAFileAndStderrAlongside)
{
    const auto log = std::filesystem::temp_directory_path() /
                     ("tlsprobe-core-child-" + std::to_string(::getpid()) + ".log");
    ChildOptions options;
    options.out = Output::truncated_file(log);
    options.err = Output::same_as_stdout();
    ChildProcess child(Args{"sh", "-c", "echo out; echo err >&2"}, options);
    EXPECT_TRUE(child.wait().succeeded());
    options.out = Output::appended_file(log);
    ChildProcess again(Args{"sh", "-c", "echo more"}, options);
    EXPECT_TRUE(again.wait().succeeded());
    const auto text = run_command(Args{"cat", log.string()}).out;
    std::filesystem::remove(log);
    EXPECT_EQ(text, "out\nerr\nmore\n");
}

TEST(ChildProcess, LeadsItsOwnGroupOrSessionWhenAsked)
{
    ChildOptions options;
    options.group = Group::own;
    const ChildProcess grouped(Args{"sleep", "30"}, options);
    EXPECT_EQ(::getpgid(grouped.pid()), grouped.pid());
    EXPECT_EQ(::getsid(grouped.pid()), ::getsid(0));
    options.group = Group::own_session;
    const ChildProcess detached(Args{"sleep", "30"}, options);
    EXPECT_EQ(::getsid(detached.pid()), detached.pid());
    const ChildProcess plain(Args{"sleep", "30"}, {});
    EXPECT_EQ(::getpgid(plain.pid()), ::getpgid(0));
}

}  // namespace
}  // namespace tlsprobe::core
