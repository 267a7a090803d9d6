#pragma once
// Line-oriented input files (port lists, hash maps): one entry per line,
// `#` starts a comment, blank lines are skipped.
#include <string_view>

namespace tlsprobe::core {

[[nodiscard]] inline std::string_view trim(std::string_view text)
{
    const auto first = text.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) {
        return {};
    }
    const auto last = text.find_last_not_of(" \t\r");
    return text.substr(first, last - first + 1);
}

// The entry on a line: the text before any `#`, without surrounding blanks.
[[nodiscard]] inline std::string_view entry_of_line(std::string_view line)
{
    return trim(line.substr(0, line.find('#')));
}

}  // namespace tlsprobe::core
