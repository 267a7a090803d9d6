#pragma once
#include <string>
#include <string_view>

#include "core/errors.hpp"

namespace tlsprobe::cli {

// The flag of a field as libraries name it: source_ip -> --source-ip.
[[nodiscard]] inline std::string flag_of(std::string field)
{
    for (auto& c : field) {
        c = c == '_' ? '-' : c;
    }
    return "--" + field;
}

// A library's text with every other setting it names in backquotes
// (`tls_version`, see core::Error) shown as its flag (--tls-version).
// Backquotes around anything but a lowercase field name stay as they are.
[[nodiscard]] inline std::string flags_in(std::string_view text)
{
    const auto is_field = [](std::string_view name) {
        return !name.empty() && name.front() >= 'a' && name.front() <= 'z' &&
               name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string_view::npos;
    };
    std::string out;
    while (!text.empty()) {
        const auto open = text.find('`');
        const auto close = open == std::string_view::npos ? open : text.find('`', open + 1);
        if (close == std::string_view::npos) {
            break;
        }
        const auto name = text.substr(open + 1, close - open - 1);
        out += text.substr(0, open);
        out += is_field(name) ? flag_of(std::string(name)) : std::string(text.substr(open, close - open + 1));
        text.remove_prefix(close + 1);
    }
    return out += text;
}

// An error as the command line shows it: a failure about one setting names
// its flag, and so does each other setting its text names.
[[nodiscard]] inline std::string message_of(const core::Error& error)
{
    return error.field().empty() ? flags_in(error.what()) : flag_of(error.field()) + flags_in(error.detail());
}

}  // namespace tlsprobe::cli
