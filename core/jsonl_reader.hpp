#pragma once
// Reads JSON Lines files (probes, flows) written by core::JsonlWriter. A
// writer that was killed can leave its last line cut short: that line is
// reported back, not thrown, so the complete records are still usable.
#include <boost/json/object.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>

namespace tlsprobe::core {

struct JsonlReadResult {
    std::uint64_t records = 0;               // lines handed to the handler
    std::optional<std::uint64_t> cut_line;   // 1-based number of a cut last line, which was skipped
};

// Called once per complete line with the line's object and its 1-based number.
using JsonlHandler = std::function<void(const boost::json::object& object, std::uint64_t line)>;

// Hands every line of `path` to `handler`, in order; blank lines are
// skipped. A last line without a trailing newline that does not parse is the
// cut one. Throws core::InputError "PATH:LINE: ..." for a line that is not a
// JSON object anywhere else, and prefixes an InputError the handler throws
// with PATH:LINE; throws core::InputError when the file cannot be opened.
[[nodiscard]] JsonlReadResult read_jsonl(const std::filesystem::path& path, const JsonlHandler& handler);

}  // namespace tlsprobe::core
