#pragma once
// A long-running tool in the background (the capture agent, tcpdump) that a
// test waits for through its stderr ("listening", "capturing on") and stops
// by closing its stdin or with SIGTERM. ChildProcess (child_process.hpp)
// covers stdout-driven children; these announce readiness on stderr.
#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/child_process.hpp"

namespace tlsprobe::testing {

class BackgroundProcess {
public:
    explicit BackgroundProcess(const std::vector<std::string>& argv);
    BackgroundProcess(const BackgroundProcess&) = delete;
    BackgroundProcess& operator=(const BackgroundProcess&) = delete;
    ~BackgroundProcess();

    // Reads stderr until it contains `needle`; false at end of file or
    // when `limit` passes first.
    bool wait_for_stderr(std::string_view needle, std::chrono::milliseconds limit = std::chrono::minutes(2));
    // Closes the process's stdin (a pipe), then waits for it to exit.
    int close_stdin_and_wait();
    // Sends SIGTERM, then waits for it to exit.
    int terminate_and_wait();
    [[nodiscard]] const std::string& stderr_text() const { return err_; }

private:
    int wait();

    core::ChildProcess child_;
    std::string err_;
};

// Non-empty lines of a text file.
[[nodiscard]] std::vector<std::string> read_lines(const std::filesystem::path& path);

}  // namespace tlsprobe::testing
