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
    return core::spell_fields(text, [](std::string_view name) {
        const bool is_field = !name.empty() && name.front() >= 'a' && name.front() <= 'z' &&
                              name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string_view::npos;
        return is_field ? flag_of(std::string(name)) : "`" + std::string(name) + "`";
    });
}

// An error as the command line shows it: a failure about one setting names
// its flag, and so does each other setting its text names.
[[nodiscard]] inline std::string message_of(const core::Error& error)
{
    return error.field().empty() ? flags_in(error.what()) : flag_of(error.field()) + flags_in(error.detail());
}

}  // namespace tlsprobe::cli
