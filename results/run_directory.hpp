#pragma once
#include <filesystem>
#include <string>
#include <string_view>

namespace tlsprobe::results {

// The directory a command writes into: `requested`, or runs/<prefix><UTC
// time> when empty; created with its parents. Throws EnvironmentError when it
// cannot be created.
[[nodiscard]] std::filesystem::path make_run_directory(const std::string& requested, std::string_view prefix);

// Writes `text` to `path` through a temporary file and a rename, so a reader
// (or a crash) never sees half a file.
void write_file_atomically(const std::filesystem::path& path, std::string_view text);

}  // namespace tlsprobe::results
