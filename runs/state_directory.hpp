#pragma once
// Where the canary keeps its state when told nothing else: locks, run
// directories and the run history (docs/HISTORY.md). `tlsprobe history`
// reads the same default, so the two meet without flags.
#include <filesystem>
#include <string_view>

namespace tlsprobe::runs {

// The canary's --state-dir default.
inline constexpr std::string_view default_state_directory = "/var/lib/tlsprobe";
// The run history's file name inside a state directory.
inline constexpr std::string_view history_file_name = "history.sqlite";

// STATE_DIR/history.sqlite: the --history default of a canary with that state directory.
[[nodiscard]] inline std::filesystem::path history_file_in(const std::filesystem::path& state_directory)
{
    return state_directory / history_file_name;
}

// /var/lib/tlsprobe/history.sqlite: the --history default of `canary` and `history`.
[[nodiscard]] inline std::filesystem::path default_history_file()
{
    return history_file_in(std::filesystem::path(default_state_directory));
}

}  // namespace tlsprobe::runs
