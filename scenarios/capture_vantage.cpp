#include "scenarios/capture_vantage.hpp"

#include <set>

#include "core/errors.hpp"

namespace tlsprobe::scenarios {
namespace {

std::vector<std::string> words_of(std::string_view text)
{
    std::vector<std::string> words;
    while (!text.empty()) {
        const auto start = text.find_first_not_of(" \t");
        if (start == std::string_view::npos) {
            break;
        }
        text.remove_prefix(start);
        const auto end = text.find_first_of(" \t");
        words.emplace_back(text.substr(0, end));
        text.remove_prefix(end == std::string_view::npos ? text.size() : end);
    }
    return words;
}

}  // namespace

CaptureVantage parse_capture_flag(std::string_view text)
{
    const auto equals = text.find('=');
    if (equals == std::string_view::npos) {
        throw core::UsageError("capture", ": \"" + std::string(text) + "\" is not NAME=INTERFACE or NAME=COMMAND");
    }
    CaptureVantage vantage;
    vantage.name = text.substr(0, equals);
    auto words = words_of(text.substr(equals + 1));
    if (words.size() == 1 && words.front().find('/') == std::string::npos) {
        vantage.interface = std::move(words.front());
    } else {
        vantage.command = std::move(words);
    }
    return vantage;
}

void validate(std::span<const CaptureVantage> captures)
{
    std::set<std::string_view> names;
    for (const auto& vantage : captures) {
        if (vantage.name.empty() ||
            vantage.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") != std::string::npos) {
            throw core::UsageError("capture", ": vantage name \"" + vantage.name + "\" is not in a-z, 0-9, _ and -");
        }
        if (!names.insert(vantage.name).second) {
            throw core::UsageError("capture", ": vantage \"" + vantage.name + "\" is given twice");
        }
        if (vantage.interface.empty() == vantage.command.empty()) {
            throw core::UsageError("capture", " " + vantage.name + ": give an interface or a command, not " +
                                                  (vantage.interface.empty() ? "neither" : "both"));
        }
    }
}

}  // namespace tlsprobe::scenarios
