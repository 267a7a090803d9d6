#pragma once
// Running the system tools the lab drives (ip, nft, ss) as argument vectors,
// through core's child-process runner: nothing is ever passed through a
// shell, so no value from the command line can be read as shell syntax.
#include <sys/types.h>

#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "core/child_process.hpp"

namespace tlsprobe::lab {

using core::describe_command;

struct ProcessResult {
    // Exit status, or 128 + signal number when the process was killed.
    int status = 0;
    std::string out;
    std::string err;
};

// Runs argv[0] (looked up in PATH) with `input` on its stdin and waits for it.
// Throws core::EnvironmentError only when the process cannot be started at all.
[[nodiscard]] ProcessResult run_process(std::span<const std::string> argv, std::string_view input = {});

// As run_process, and throws core::EnvironmentError naming the command and quoting
// its stderr when it exits non-zero. Returns its stdout.
std::string run_checked(std::span<const std::string> argv, std::string_view input = {});

// Starts a long-running process in a session of its own, stdin from
// /dev/null, stdout and stderr appended to `log`. Does not wait for it.
[[nodiscard]] pid_t spawn_detached(std::span<const std::string> argv, const std::filesystem::path& log);

}  // namespace tlsprobe::lab
