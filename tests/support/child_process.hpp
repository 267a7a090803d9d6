#pragma once
// Runs the tlsprobe binary (and other tools) from tests: argument vectors,
// never a shell; output captured; killed on scope exit if still running.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/child_process.hpp"
#include "temp_dir.hpp"

namespace tlsprobe::testing {

struct CommandResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

// Runs to completion, or kills the command after `limit`.
CommandResult run_command(const std::vector<std::string>& argv,
                          std::chrono::seconds limit = std::chrono::seconds(120));

class ChildProcess {
public:
    explicit ChildProcess(const std::vector<std::string>& argv);
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;
    ~ChildProcess();

    // The next line of standard output, or nothing after `limit`.
    std::optional<std::string> read_line(std::chrono::milliseconds limit);
    void send_signal(int signal) const;
    // Waits for the exit (killing it after `limit`) and returns the exit code.
    int wait(std::chrono::seconds limit = std::chrono::seconds(60));

private:
    core::ChildProcess child_;
    std::string buffer_;
    std::optional<int> exit_code_;
};

// The tlsprobe executable under test.
[[nodiscard]] std::string tlsprobe_binary();

// A loopback TCP port that was free a moment ago.
[[nodiscard]] std::uint16_t free_loopback_port();

}  // namespace tlsprobe::testing
