#pragma once
#include <string>

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

// An error as the command line shows it: a failure about one setting names
// its flag.
[[nodiscard]] inline std::string message_of(const core::Error& error)
{
    return error.field().empty() ? std::string(error.what()) : flag_of(error.field()) + error.detail();
}

}  // namespace tlsprobe::cli
