#include "runs/capture_spec.hpp"

#include <filesystem>
#include <set>

#include "core/errors.hpp"

namespace tlsprobe::runs {

std::vector<CaptureSpec> parse_capture_specs(const std::vector<std::string>& specs)
{
    std::vector<CaptureSpec> parsed;
    std::set<std::string> names;
    for (const auto& text : specs) {
        const auto equals = text.find('=');
        const auto name = text.substr(0, equals);
        if (equals == std::string::npos || name.empty() ||
            name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") != std::string::npos) {
            throw core::UsageError("capture", ": \"" + text + "\" is not NAME=INTERFACE or NAME=COMMAND (NAME in a-z0-9_-)");
        }
        if (!names.insert(name).second) {
            throw core::UsageError("capture", ": vantage \"" + name + "\" is given twice");
        }
        auto spec = text.substr(equals + 1);
        const auto first = spec.find_first_not_of(" \t");
        if (first == std::string::npos) {
            throw core::UsageError("capture", " " + name + "= names no interface and no command");
        }
        const bool single_word = spec.find_first_of(" \t", first) == std::string::npos;
        if (single_word && spec.find('/') == std::string::npos &&
            !std::filesystem::exists(std::filesystem::path("/sys/class/net") / spec.substr(first))) {
            throw core::UsageError("capture", " " + name + "=" + spec +
                                   ": no such interface here, and a one-word command cannot be a capture agent");
        }
        parsed.push_back({.vantage = name, .spec = std::move(spec)});
    }
    return parsed;
}

}  // namespace tlsprobe::runs
